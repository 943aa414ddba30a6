"""Written forms -> the spoken words the rest of Hearth reads.

Whisper writes the way people type ("Remind me to call Mom at 5:30 p.m.", "a 12-ounce latte",
"50%", "December 25th", "$3"); templates, the language model corpus, slot parsers and the NLU's
training text are all spoken words ("remind me to call mom at five thirty pm"). ``spoken`` is
the one place a written transcript becomes spoken words, so every reader after the recognizer
sees one form. Times come out as the templates write them (``<hour> <minute> <ampm>``, "pm",
"o'clock"), which ``values/clock.py`` also reads.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.values.number import ORDINAL_UNITS
from assistant.values.number import spoken as say_whole
from assistant.values.units import TABLE as UNITS

_ORDINAL_TENS = {20: "twentieth", 30: "thirtieth", 40: "fortieth", 50: "fiftieth",
                 60: "sixtieth", 70: "seventieth", 80: "eightieth", 90: "ninetieth"}
_ORDINAL_NAMES = {v: k for k, v in ORDINAL_UNITS.items()}
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_FRACTIONS = {"1/2": "a half", "1/3": "a third", "2/3": "two thirds", "1/4": "a quarter",
              "3/4": "three quarters"}
_CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
               "€": ("euro", "euros", "cent", "cents")}
_TITLES = {"mr": "mister", "mrs": "missus", "ms": "miz", "dr": "doctor"}
_OPERATORS = {"+": "plus", "*": "times", "×": "times", "x": "times", "÷": "divided by",
              "/": "divided by", "=": "equals", "-": "minus", "−": "minus"}

_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
# unit abbreviations said as the unit's name ("5 km", "10kg", "how many oz in a lb"); those that
# are also words or sounds ("mm", "min") only after a number; never "in" ("5 in the morning"), "g"
# ("5G") or "l".
_ABBREVIATIONS_ANYWHERE = ("km", "kg", "cm", "ml", "mg", "lb", "lbs", "oz", "fl oz", "tsp", "tbsp",
                           "mph", "kph")
_ABBREVIATIONS = {alias: (name, plural) for name, plural, _, _, aliases in UNITS for alias in aliases
                  if alias in _ABBREVIATIONS_ANYWHERE
                  or alias in ("mm", "ft", "yd", "mi", "sec", "secs", "min", "mins", "hr", "hrs")}


def whole(n: int) -> str:
    """Any whole number in words: 0 -> "zero", 2_500_000 -> "two million five hundred thousand"
    (``values.number.spoken`` says up to 999,999)."""
    if n < 0:
        return "minus " + whole(-n)
    if n < 1_000_000:
        return say_whole(n)
    for scale, name in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
        if n >= scale:
            rest = n % scale
            return f"{whole(n // scale)} {name}" + (f" {whole(rest)}" if rest else "")
    raise AssertionError("unreachable")


def ordinal(n: int) -> str:
    """1 -> "first", 22 -> "twenty second", 100 -> "one hundredth"."""
    if n in _ORDINAL_NAMES:
        return _ORDINAL_NAMES[n]
    if n < 100:
        if n % 10 == 0:
            return _ORDINAL_TENS[n]
        return f"{whole(n - n % 10)} {_ORDINAL_NAMES[n % 10]}"
    rest = n % 100
    if rest:
        return f"{whole(n - rest)} {ordinal(rest)}"
    return whole(n) + "th"  # "one hundredth", "two thousandth"


def number(text: str) -> str:
    """Digits as said: "12" -> "twelve", "1,000" -> "one thousand", "3.75" -> "three point
    seven five" (``values.number`` reads every one of these back)."""
    text = text.replace(",", "")
    if "." in text:
        head, tail = text.split(".", 1)
        return f"{whole(int(head or 0))} point " + " ".join(_DIGIT_WORDS[int(d)] for d in tail)
    return whole(int(text))


def clock(hour: str, minute: str, meridiem: str = "") -> str:
    """"5", "30", "pm" -> "five thirty pm"; "7", "00" -> "seven o'clock"; "7", "05" -> "seven oh
    five": the phrasings of the ``time`` list in ``sentences/data/common.yaml``."""
    h, m = int(hour), int(minute)
    words = whole(h)
    if m == 0:
        words += "" if meridiem else " o'clock"
    elif m < 10:
        words += f" oh {whole(m)}"
    else:
        words += f" {whole(m)}"
    return f"{words} {meridiem}" if meridiem else words


def _money(symbol: str, amount: str) -> str:
    one, many, small_one, small_many = _CURRENCIES[symbol]
    head, _, tail = amount.replace(",", "").partition(".")
    units = int(head or 0)
    out = f"{whole(units)} {one if units == 1 else many}"
    if tail and int(tail[:2].ljust(2, "0")):
        cents = int(tail[:2].ljust(2, "0"))
        out += f" {whole(cents)} {small_one if cents == 1 else small_many}"
    return out


def _unit(m: re.Match[str]) -> str:
    """ "5 km" -> "5 kilometers", "a lb" -> "a pound"; an abbreviation that is also a word stays
    unless a number comes before it."""
    abbreviation = " ".join(m["unit"].lower().split())
    if m["amount"] is None and abbreviation not in _ABBREVIATIONS_ANYWHERE:
        return m[0]
    amount = m["amount"] or m["one"]
    name, plural = _ABBREVIATIONS[abbreviation]
    single = amount is not None and amount.lower() in ("1", "a", "an", "one", "per")
    return f" {amount or ''} {name if single else plural} "


def _meridiem(letter: str) -> str:
    return f"{letter.lower()}m"


_STEPS: list[tuple[re.Pattern[str], object]] = [
    # "5:30 p.m.", "5.30pm", "5:30 PM" -> "five thirty pm"
    (re.compile(r"\b(\d{1,2})[:.](\d\d)\s*([ap])\.?\s?m\b\.?", re.I),
     lambda m: " " + clock(m[1], m[2], _meridiem(m[3])) + " "),
    # "545 a.m.", "730pm": a time written without its colon
    (re.compile(r"\b(1?\d)([0-5]\d)\s*([ap])\.?\s?m\b\.?", re.I),
     lambda m: " " + clock(m[1], m[2], _meridiem(m[3])) + " "),
    # "at 730", "at 7.30", "715 in the morning", "7.15 in the morning"
    (re.compile(r"(?<=\bat )([12]?\d)\.?([0-5]\d)\b(?![.,]\d)(?!\s*(?:%|°|degrees|percent|"
                r"miles|feet|meters|kilometers|pounds|grams|kilos|dollars))|\b(1?\d)[.:]?([0-5]\d)\b"
                r"(?= (?:in the (?:morning|afternoon|evening)|at night|tonight|tomorrow)\b)", re.I),
     lambda m: " " + clock(m[1] or m[3], m[2] or m[4]) + " "),
    # "17:30", "7:05"
    (re.compile(r"\b(\d{1,2}):(\d\d)\b"), lambda m: " " + clock(m[1], m[2]) + " "),
    # "5pm", "5 p.m.", "11 AM"
    (re.compile(r"\b(\d{1,2})\s*([ap])\.?\s?m\b\.?", re.I),
     lambda m: f" {whole(int(m[1]))} {_meridiem(m[2])} "),
    # "at five p.m." (a time said in words, written with dots)
    (re.compile(r"(?<![a-z])([ap])\.\s?m\b\.?", re.I), lambda m: f" {_meridiem(m[1])} "),
    # "$3", "$3.50", "£1"
    (re.compile(r"([$£€])\s?(" + _NUM + r")"), lambda m: f" {_money(m[1], m[2])} "),
    # "50%", "2.5 %"
    (re.compile(r"(" + _NUM + r")\s?%"), lambda m: f" {number(m[1])} percent "),
    # "20°F", "20 °C", "20°"
    (re.compile(r"(" + _NUM + r")\s?°\s?([fc])?\b", re.I),
     lambda m: f" {number(m[1])} degrees"
               + {"f": " fahrenheit", "c": " celsius", None: ""}[m[2] and m[2].lower()] + " "),
    # "1st", "22nd", "25th"
    (re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.I), lambda m: f" {ordinal(int(m[1]))} "),
    # "1/2 cup"
    (re.compile(r"(?<![\d/])(\d/\d)(?![\d/])"),
     lambda m: f" {_FRACTIONS[m[1]]} " if m[1] in _FRACTIONS else m[0]),
    # "5 + 3", "6 x 7", "10 / 2", "9 - 4": operators between numbers, spaced or not ("5+3")
    (re.compile(r"(?<=\d)\s*([+*×x÷/=−])\s*(?=-?\d)|(?<=\d)\s+(-)\s+(?=\d)"),
     lambda m: f" {_OPERATORS[m[1] or m[2]]} "),
    # "-4" (a sign, not a hyphen inside a word)
    (re.compile(r"(?<![\w])-(?=\d)"), lambda m: " minus "),
    # numbers glued to words: "12ounce", "10kg"
    (re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)", re.I), lambda m: " "),
    # "5 km", "2 lbs", "how many oz in a lb"
    (re.compile(r"(?:(?P<amount>" + _NUM + r")\s*|\b(?P<one>a|an|one|per)\s+)?\b(?P<unit>"
                + "|".join(a.replace(" ", r"\s?") for a in sorted(_ABBREVIATIONS, key=len, reverse=True))
                + r")\b\.?", re.I), _unit),
    (re.compile(_NUM), lambda m: f" {number(m[0])} "),
    # "Dr. Smith", "Mr Jones"
    (re.compile(r"\b(mr|mrs|ms|dr)\b\.?", re.I), lambda m: f" {_TITLES[m[1].lower()]} "),
    (re.compile(r"&"), lambda m: " and "),
    (re.compile(r"@"), lambda m: " at "),
]
_APOSTROPHE = re.compile(r"(?<=[a-z])'(?=[a-z])")
_NOT_WORD = re.compile(r"[^a-z0-9'\s]+")


def spoken(text: str) -> str:
    """What Whisper wrote, as the spoken words Hearth reads: lowercase, no punctuation, digits,
    times, money, percentages and ordinals in words, hyphens as spaces, apostrophes only inside
    words ("what's", "o'clock").

    >>> spoken("Remind me to call Mom at 5:30 p.m.")
    'remind me to call mom at five thirty pm'
    """
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("’", "'").replace("‘", "'").replace("`", "'").replace("⁄", "/")
    t = re.sub(r"[–—‐‑]", " ", t)  # dashes
    for pattern, repl in _STEPS:
        t = pattern.sub(repl, t)  # type: ignore[arg-type]
    t = t.lower().replace("-", " ")
    t = _APOSTROPHE.sub("\x00", t).replace("'", " ").replace("\x00", "'")
    return " ".join(_NOT_WORD.sub(" ", t).split())
