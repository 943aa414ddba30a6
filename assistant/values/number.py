"""Numbers as recognizers write them: "twenty five", "three point five", "a dozen", "two and a
half", "25". Also the tokenizer every value parser shares, so "a.m." and "a m" read alike.

Parsers return None when the text is not what they parse; they never raise.
"""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# fraction words: singular and plural -> value of one part
FRACTIONS = {"half": 0.5, "halves": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25,
             "quarters": 0.25}
ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19,
}
ORDINAL_TENS = {"twentieth": 20, "thirtieth": 30}

FILLER = {"at", "on", "the", "for", "about", "around", "by", "this", "of", "in", "and", "please",
          "just", "uh", "um", "like", "only", "exactly", "approximately", "roughly", "so",
          "okay", "ok", "set", "it", "to", "make", "timer", "a", "an", "another"}

Number = float | int

def spoken(n: int) -> str:
    """A whole number 0 <= n < 1,000,000 in words, as people say it: 42 -> "forty two",
    120 -> "one hundred twenty" (the inverse of :func:`parse_number`, for grammars and samples)."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"cannot say {n}")
    names = {v: k for k, v in {**UNITS, **TEENS, **TENS}.items() if k != "fourty"}
    if n < 20:
        return names[n]
    if n < 100:
        return names[n - n % 10] + (f" {names[n % 10]}" if n % 10 else "")
    if n < 1000:
        rest = n % 100
        return f"{names[n // 100]} hundred" + (f" {spoken(rest)}" if rest else "")
    rest = n % 1000
    return f"{spoken(n // 1000)} thousand" + (f" {spoken(rest)}" if rest else "")


def tokenize(text: str) -> list[str]:
    """Lower-case words with ASR spellings unified: "a.m." / "a m" -> "am", "25%" -> "25 percent",
    "o'clock" -> "oclock", "1,000" -> "1000", hyphens to spaces."""
    t = text.lower().strip()
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    t = re.sub(r"%", " percent ", t)
    t = re.sub(r"\bper\s+cent\b", "percent", t)
    t = re.sub(r"\bo['’]?\s?clock\b", "oclock", t)
    t = re.sub(r"(?<![a-z])([ap])\s?\.?\s?m\b\.?", r"\1m", t)
    t = re.sub(r"['’]s\b", "s", t)
    t = re.sub(r"(\d)(am|pm)\b", r"\1 \2", t)
    t = re.sub(r"[^a-z0-9:.\s]", " ", t)
    t = re.sub(r"(?<!\d)[.:]|[.:](?!\d)", " ", t)
    return t.split()


def as_number(v: float) -> Number:
    """Whole floats become ints so "five" is 5, not 5.0."""
    return int(v) if float(v).is_integer() else v


def _digits(tok: str) -> float | None:
    return float(tok) if re.fullmatch(r"\d+(\.\d+)?", tok) else None



def read_number(toks: list[str], i: int, fractions: bool = True) -> tuple[Number, int] | None:
    """Read the longest number starting at ``toks[i]``; returns (value, index after it).

    Handles "a hundred and twelve", "three point five", "a dozen", "two and a half", "half",
    "three quarters", "minus four", digits. ``fractions=False`` leaves "and a half" unread
    (durations use it: "an hour and a half")."""
    n = len(toks)
    if i >= n:
        return None
    sign = 1
    if toks[i] in ("minus", "negative") and i + 1 < n:
        sign, i = -1, i + 1
    frac = read_fraction(toks, i)
    if frac is not None:
        return as_number(sign * frac[0]), frac[1]
    got = read_cardinal(toks, i)
    if got is None:
        return None
    value, j = got
    if j < n and toks[j] == "point":
        decimals = ""
        k = j + 1
        while k < n and (toks[k] in UNITS or toks[k] == "oh" or re.fullmatch(r"\d", toks[k])):
            decimals += str(UNITS.get(toks[k], 0) if not toks[k].isdigit() else toks[k])
            k += 1
        if decimals:
            value, j = float(f"{int(value)}.{decimals}"), k
    if j < n and toks[j] == "dozen":
        value, j = value * 12, j + 1
    elif fractions and j + 1 < n and toks[j] == "and":
        frac = read_fraction(toks, j + 1)
        if frac is not None and frac[0] < 1:
            value, j = value + frac[0], frac[1]
    return as_number(sign * value), j


def read_cardinal(toks: list[str], i: int) -> tuple[float, int] | None:
    """Whole numbers in words or digits ("a hundred and twelve", "2 thousand", "25")."""
    n = len(toks)
    total, cur, last, j = 0.0, 0.0, None, i
    if toks[i] == "point" and i + 1 < n and toks[i + 1] in UNITS:
        return 0.0, i  # "point five": the decimal part is read by the caller
    if toks[i] in ("a", "an"):
        nxt = toks[i + 1] if i + 1 < n else ""
        if nxt in ("hundred", "dozen", "couple") or nxt in SCALES:
            cur, last, j = 1.0, "unit", i + 1
        else:
            return None
    while j < n:
        t = toks[j]
        d = _digits(t)
        if d is not None and last is None:
            cur, last = d, "digits"
        elif t in UNITS and last in (None, "tens", "hundred", "scale", "and"):
            cur, last = cur + UNITS[t], "unit"
        elif t in TEENS and last in (None, "hundred", "scale", "and"):
            cur, last = cur + TEENS[t], "teen"
        elif t in TENS and last in (None, "hundred", "scale", "and"):
            cur, last = cur + TENS[t], "tens"
        elif t == "hundred" and last in ("unit", "teen", "digits") and cur < 100:
            cur, last = cur * 100, "hundred"
        elif t in SCALES and last in ("unit", "teen", "tens", "hundred", "digits"):
            total, cur, last = total + cur * SCALES[t], 0.0, "scale"
        elif t == "couple" and last == "unit" and cur == 1:
            cur, last = 2.0, "unit"
            j += 1
            if j < n and toks[j] == "of":
                j += 1
            break
        elif (t == "and" and last in ("hundred", "scale") and j + 1 < n
              and (toks[j + 1] in UNITS or toks[j + 1] in TEENS or toks[j + 1] in TENS)):
            last = "and"
        else:
            break
        j += 1
    if last is None or last == "and":
        return None
    return total + cur, j


def read_fraction(toks: list[str], i: int) -> tuple[float, int] | None:
    """ "half", "a half", "a quarter", "three quarters", "two thirds" -> value."""
    n = len(toks)
    if i < n and toks[i] in FRACTIONS:
        return FRACTIONS[toks[i]], i + 1
    if i + 1 < n and toks[i] in ("a", "an", "one") and toks[i + 1] in FRACTIONS:
        return FRACTIONS[toks[i + 1]], i + 2
    if i + 1 < n and toks[i] in UNITS and toks[i + 1] in ("thirds", "quarters", "halves"):
        return UNITS[toks[i]] * FRACTIONS[toks[i + 1]], i + 2
    return None


def parse_number(text: str) -> Number | None:
    """The whole text as one number ("twenty five" -> 25, "three point five" -> 3.5)."""
    toks = tokenize(text)
    got = read_number(toks, 0) if toks else None
    return got[0] if got and got[1] == len(toks) else None


def read_ordinal(toks: list[str], i: int) -> tuple[int, int] | None:
    """ "twenty fifth", "first", "25th", "25" -> (day number, index after)."""
    n = len(toks)
    if i >= n:
        return None
    m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", toks[i])
    if m:
        return int(m.group(1)), i + 1
    if toks[i] in TENS and i + 1 < n and toks[i + 1] in ORDINAL_UNITS:
        return TENS[toks[i]] + ORDINAL_UNITS[toks[i + 1]], i + 2
    if toks[i] in ORDINAL_UNITS:
        return ORDINAL_UNITS[toks[i]], i + 1
    if toks[i] in ORDINAL_TENS:
        return ORDINAL_TENS[toks[i]], i + 1
    got = read_cardinal(toks, i)  # "december twenty five"
    if got and 1 <= got[0] <= 31 and float(got[0]).is_integer():
        return int(got[0]), got[1]
    return None


def parse_percent(text: str) -> Number | None:
    """ "fifteen percent" / "15%" -> 15."""
    toks = tokenize(text)
    got = read_number(toks, 0) if toks else None
    if got and got[1] == len(toks) - 1 and toks[-1] == "percent":
        return got[0]
    return None
