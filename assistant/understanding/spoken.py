"""Spoken language as ASR writes it -> values: numbers, durations, clock times, dates,
percentages and recurrences.

Recognizers write "twenty five", "half past seven" or "six a m", not "25" or "07:30", so every
skill and both understanders go through :func:`normalize_slot`. Everything is table-driven and
relative to an injected ``now`` so tests are deterministic. Parsers return None when the text
is not what they parse; they never raise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

# ----------------------------------------------------------------------------- vocabulary

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
MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"]
    )
}
MONTHS.update({"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
               "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12})
WEEKDAYS = {
    name: i
    for i, name in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
WEEKDAY_PLURALS = {name + "s": i for name, i in WEEKDAYS.items()}
# fixed-date holidays: token phrase -> (month, day); longest phrases first when matching
HOLIDAYS: dict[tuple[str, ...], tuple[int, int]] = {
    ("christmas", "eve"): (12, 24),
    ("christmas", "day"): (12, 25),
    ("christmas",): (12, 25),
    ("xmas",): (12, 25),
    ("new", "years", "eve"): (12, 31),
    ("new", "years", "day"): (1, 1),
    ("new", "years"): (1, 1),
    ("new", "year"): (1, 1),
    ("halloween",): (10, 31),
    ("valentines", "day"): (2, 14),
    ("valentines",): (2, 14),
}
# duration unit words -> seconds
DURATION_UNITS = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600,
    "day": 86400, "days": 86400,
    "week": 604800, "weeks": 604800,
}
# relative day words -> offset from today
DAY_OFFSETS = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
# words that say morning or afternoon when no "a m" / "p m" is given
MERIDIEM_HINTS = {"morning": "am", "am": "am", "afternoon": "pm", "evening": "pm",
                  "tonight": "pm", "night": "pm", "pm": "pm"}
FILLER = {"at", "on", "the", "for", "about", "around", "by", "this", "of", "in", "and", "please",
          "just", "uh", "um", "like", "only", "exactly", "approximately", "roughly", "so",
          "okay", "ok", "set", "it", "to", "make", "timer", "a", "an", "another"}

Number = float | int

# ----------------------------------------------------------------------------- tokens


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


def _as_number(v: float) -> Number:
    """Whole floats become ints so "five" is 5, not 5.0."""
    return int(v) if float(v).is_integer() else v


def _digits(tok: str) -> float | None:
    return float(tok) if re.fullmatch(r"\d+(\.\d+)?", tok) else None


# ----------------------------------------------------------------------------- numbers


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
    frac = _read_fraction(toks, i)
    if frac is not None:
        return _as_number(sign * frac[0]), frac[1]
    got = _read_cardinal(toks, i)
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
        frac = _read_fraction(toks, j + 1)
        if frac is not None and frac[0] < 1:
            value, j = value + frac[0], frac[1]
    return _as_number(sign * value), j


def _read_cardinal(toks: list[str], i: int) -> tuple[float, int] | None:
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


def _read_fraction(toks: list[str], i: int) -> tuple[float, int] | None:
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
    got = _read_cardinal(toks, i)  # "december twenty five"
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


# ----------------------------------------------------------------------------- durations


def read_duration(toks: list[str], i: int) -> tuple[float, int] | None:
    """Read "an hour and a half", "two and a half hours", "a minute and thirty seconds",
    "half an hour", "one hour twenty" starting at ``toks[i]`` -> (seconds, index after)."""
    n, total, j, last_unit, found = len(toks), 0.0, i, 0, False
    while j < n:
        k = j
        if found and toks[k] in ("and", "plus") and k + 1 < n:
            k += 1
        part = _read_duration_part(toks, k)
        if part is not None:
            seconds, unit, k = part
            total, last_unit, found, j = total + seconds, unit, True, k
            if k + 2 < n and toks[k] == "and" and toks[k + 1] in ("a", "an") and toks[k + 2] in FRACTIONS:
                total, j = total + FRACTIONS[toks[k + 2]] * unit, k + 3
            continue
        # "one hour twenty": a trailing bare number counts in the next smaller unit
        num = read_number(toks, k, fractions=False) if found and last_unit > 1 else None
        if num is not None and (num[1] == n or toks[num[1]] not in DURATION_UNITS):
            smaller = {604800: 86400, 86400: 3600, 3600: 60, 60: 1}[last_unit]
            total, j = total + num[0] * smaller, num[1]
        break
    return (total, j) if found else None


def _read_duration_part(toks: list[str], i: int) -> tuple[float, int, int] | None:
    """One "<number> <unit>" or "half an hour" / "a quarter of an hour" -> (seconds, unit, next)."""
    n = len(toks)
    frac = _read_fraction(toks, i)
    if frac is not None:
        k = frac[1]
        if k < n and toks[k] == "of":
            k += 1
        if k < n and toks[k] in ("a", "an"):
            k += 1
        if k < n and toks[k] in DURATION_UNITS:
            unit = DURATION_UNITS[toks[k]]
            return frac[0] * unit, unit, k + 1
    if i < n and toks[i] in ("a", "an") and i + 1 < n and toks[i + 1] in DURATION_UNITS:
        unit = DURATION_UNITS[toks[i + 1]]
        return float(unit), unit, i + 2
    num = read_number(toks, i)
    if num is not None and num[1] < n and toks[num[1]] in DURATION_UNITS:
        unit = DURATION_UNITS[toks[num[1]]]
        return num[0] * unit, unit, num[1] + 1
    return None


def parse_duration(text: str, default_unit: int | None = None) -> Number | None:
    """The text as a duration in seconds ("ninety seconds" -> 90); filler words are allowed
    around it ("for five minutes please"). A bare number counts in ``default_unit`` seconds
    when one is given ("make it ten" after a minutes timer)."""
    toks = [t for t in tokenize(text) if t not in ("for", "about", "around", "please", "just")]
    i = 0
    while i < len(toks) and toks[i] in FILLER and toks[i] not in ("a", "an"):
        i += 1
    got = read_duration(toks, i)
    if got is None and default_unit:
        num = read_number(toks, i)
        if num is not None:
            got = (num[0] * default_unit, num[1])
    if got is None or any(t not in FILLER for t in toks[got[1]:]):
        return None
    return _as_number(round(got[0], 3))


# ----------------------------------------------------------------------------- dates


def _next_weekday(today: date, weekday: int, allow_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not allow_today:
        ahead = 7
    return today + timedelta(days=ahead)


def _future_date(today: date, month: int, day: int, year: int | None = None) -> date | None:
    """This year's month/day, or next year's when it has passed."""
    try:
        d = date(year or today.year, month, day)
        if year is None and d < today:
            d = date(today.year + 1, month, day)
    except ValueError:
        return None
    return d


def _read_year(toks: list[str], i: int) -> tuple[int | None, int]:
    if i < len(toks) and re.fullmatch(r"(19|20)\d\d", toks[i]):
        return int(toks[i]), i + 1
    return None, i


def read_date(toks: list[str], i: int, today: date) -> tuple[date, int] | None:
    """A date phrase at ``toks[i]``: today / tomorrow / the day after tomorrow / (next) friday /
    the twenty fifth of december / december twenty fifth / christmas -> (date, index after)."""
    n = len(toks)
    j = i
    if j < n and toks[j] == "the":
        j += 1
    if toks[j:j + 3] == ["day", "after", "tomorrow"]:
        return today + timedelta(days=2), j + 3
    if j < n and toks[j] in DAY_OFFSETS:
        return today + timedelta(days=DAY_OFFSETS[toks[j]]), j + 1
    qualifier = None
    if j < n and toks[j] in ("next", "this", "coming"):
        qualifier, j = toks[j], j + 1
    if j < n and toks[j] in WEEKDAYS:
        return _next_weekday(today, WEEKDAYS[toks[j]], allow_today=qualifier == "this"), j + 1
    if qualifier:
        return None
    for phrase, (month, day) in HOLIDAYS.items():
        if tuple(toks[j:j + len(phrase)]) == phrase:
            d = _future_date(today, month, day)
            return (d, j + len(phrase)) if d else None
    # "december (the) twenty fifth (2026)"
    if j < n and toks[j] in MONTHS:
        k = j + 1 + (j + 1 < n and toks[j + 1] == "the")
        ordinal = read_ordinal(toks, k)
        if ordinal:
            year, k = _read_year(toks, ordinal[1])
            d = _future_date(today, MONTHS[toks[j]], ordinal[0], year)
            return (d, k) if d else None
    # "(the) twenty fifth (of) december (2026)"
    ordinal = read_ordinal(toks, j)
    if ordinal:
        k = ordinal[1] + (ordinal[1] < n and toks[ordinal[1]] == "of")
        if k < n and toks[k] in MONTHS:
            year, k2 = _read_year(toks, k + 1)
            d = _future_date(today, MONTHS[toks[k]], ordinal[0], year)
            return (d, k2) if d else None
    return None


def parse_date(text: str, now: datetime | None = None) -> date | None:
    """The text as a calendar date relative to ``now`` (future dates for month/day phrases)."""
    toks = tokenize(text)
    today = (now or datetime.now()).date()
    for i in range(len(toks)):
        got = read_date(toks, i, today)
        if got and all(t in FILLER or t in ("day", "date", "what") for t in toks[:i] + toks[got[1]:]):
            return got[0]
    return None


# ----------------------------------------------------------------------------- clock times

Clock = tuple[int, int, str | None]  # hour, minute, "am" / "pm" / None


def _read_hour(toks: list[str], i: int) -> tuple[int, int] | None:
    """An hour 0..24 as one number word or digits; "twenty three", "noon", "midnight" too."""
    if i < len(toks) and toks[i] in ("noon", "midday", "midnight"):
        return (0 if toks[i] == "midnight" else 12), i + 1
    got = _read_cardinal(toks, i) if i < len(toks) else None
    if got is None or not float(got[0]).is_integer() or not 0 <= got[0] <= 24:
        return None
    return int(got[0]), got[1]


def _read_minutes(toks: list[str], i: int) -> tuple[int, int] | None:
    """Minutes after an hour: "thirty", "forty five", "oh five", "05"."""
    n = len(toks)
    if i < n and toks[i] in ("oh", "o") and i + 1 < n and toks[i + 1] in UNITS:
        return UNITS[toks[i + 1]], i + 2
    if i < n and re.fullmatch(r"\d\d", toks[i]):
        m = int(toks[i])
        return (m, i + 1) if m < 60 else None
    got = _read_cardinal(toks, i) if i < n and not toks[i].isdigit() else None
    if got and 10 <= got[0] < 60 and float(got[0]).is_integer():
        return int(got[0]), got[1]
    return None


def read_clock(toks: list[str], i: int) -> tuple[Clock, int] | None:
    """A time of day at ``toks[i]``: "half past seven", "quarter to eight", "ten past six",
    "seven thirty p m", "6:30", "seven o'clock", "noon", "midnight" -> ((h, m, meridiem), next)."""
    n = len(toks)
    if i >= n:
        return None
    t = toks[i]
    if t in ("noon", "midday"):
        return (12, 0, "pm"), i + 1
    if t == "midnight":
        return (0, 0, "am"), i + 1
    m = re.fullmatch(r"(\d{1,2}):(\d\d)", t)
    if m and int(m.group(1)) <= 24 and int(m.group(2)) < 60:
        return _with_meridiem(toks, i + 1, int(m.group(1)), int(m.group(2)))
    # "<minutes> past/to <hour>"
    offset = None
    offset, j = None, i
    if t == "half" and i + 1 < n and toks[i + 1] in ("past", "after"):
        offset, j = 30, i + 1
    elif t == "quarter":
        offset, j = 15, i + 1
    elif toks[i:i + 2] == ["a", "quarter"]:
        offset, j = 15, i + 2
    else:
        num = _read_cardinal(toks, i)
        if num and 0 < num[0] < 60 and num[1] < n:
            j = num[1] + (toks[num[1]] in ("minutes", "minute", "mins"))
            if j < n and toks[j] in ("past", "after", "to", "before", "til", "till"):
                offset = int(num[0])
    if offset is not None and j < n and toks[j] in ("past", "after", "to", "before", "til", "till"):
        hour = _read_hour(toks, j + 1)
        if hour:
            h, k = hour
            if toks[j] in ("past", "after"):
                return _with_meridiem(toks, k, h, offset)
            return _with_meridiem(toks, k, (h - 1) % 24 if h != 0 else 23, 60 - offset,
                                  roll_from=h)
    # "<hour> [oclock | <minutes>] [am|pm]"
    hour = _read_hour(toks, i)
    if hour is None:
        return None
    h, k = hour
    if k < n and toks[k] == "oclock":
        return _with_meridiem(toks, k + 1, h, 0)
    minutes = _read_minutes(toks, k)
    if minutes:
        return _with_meridiem(toks, minutes[1], h, minutes[0])
    return _with_meridiem(toks, k, h, 0)


def _with_meridiem(toks: list[str], k: int, h: int, minute: int,
                   roll_from: int | None = None) -> tuple[Clock, int] | None:
    """Attach a following "am"/"pm"/"in the morning"; "quarter to one pm" rolls back from 1 pm."""
    if h > 24:
        return None
    mer = None
    if k < len(toks) and toks[k] in ("am", "pm"):
        mer, k = toks[k], k + 1
    elif toks[k:k + 3] in (["in", "the", "morning"], ["in", "the", "afternoon"],
                           ["in", "the", "evening"]) or toks[k:k + 2] == ["at", "night"]:
        mer = MERIDIEM_HINTS[toks[k + 2] if toks[k] == "in" else "night"]
        k += 3 if toks[k] == "in" else 2
    if mer and roll_from is not None:
        # "quarter to one pm" = 12:45 pm; "quarter to twelve pm" = 11:45 am
        base = apply_meridiem(roll_from, mer)
        return ((base - 1) % 24, minute, "24h"), k
    if mer and h > 12:
        return None
    return (h, minute, mer), k


def apply_meridiem(h: int, mer: str | None) -> int:
    """12-hour clock + "am"/"pm" -> 0..23 (None leaves the hour as spoken)."""
    if mer == "pm" and h < 12:
        return h + 12
    if mer == "am" and h == 12:
        return 0
    return h % 24


# words around a time of day in answers like "the nine o'clock one"
CLOCK_FILLER = {"at", "around", "about", "by", "the", "for", "my", "alarm", "one", "set"}


def parse_clock(text: str) -> Clock | None:
    """The whole text as a time of day; (hour, minute, "am"/"pm"/"24h"/None)."""
    toks = [t for t in tokenize(text) if t not in CLOCK_FILLER]
    got = read_clock(toks, 0) if toks else None
    return got[0] if got and got[1] == len(toks) else None


def parse_time(text: str, now: datetime | None = None) -> datetime | None:
    """The text as a moment relative to ``now``: "in twenty minutes", "tomorrow at six a m",
    "half past seven", "on friday at nine", "tonight at nine", "noon". A time of day with no
    day and no am/pm is the next time it comes round."""
    now = (now or datetime.now()).replace(microsecond=0)
    toks = tokenize(text)
    if not toks:
        return None
    # relative: "in twenty minutes", "twenty minutes from now"
    if toks[0] in ("in", "after"):
        got = read_duration(toks, 1)
        if got and got[1] == len(toks):
            return now + timedelta(seconds=got[0])
    if toks[-2:] == ["from", "now"]:
        got = read_duration(toks, 0)
        if got and got[1] == len(toks) - 2:
            return now + timedelta(seconds=got[0])
    day: date | None = None
    hint: str | None = None
    clock: Clock | None = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in MERIDIEM_HINTS and t not in ("am", "pm"):
            hint = MERIDIEM_HINTS[t]
        if day is None and (got_day := read_date(toks, i, now.date())):
            day, i = got_day
            continue
        if clock is None and (got_clock := read_clock(toks, i)):
            clock, i = got_clock
            continue
        if t not in FILLER and t not in MERIDIEM_HINTS and t not in ("next", "tonight", "oclock") \
                and not (clock is not None and t in CLOCK_FILLER):
            return None
        i += 1
    if clock is None:
        return None
    h, minute, mer = clock
    hour = h if mer == "24h" else apply_meridiem(h, mer or hint)
    if day is not None:
        return datetime.combine(day, datetime.min.time()).replace(hour=hour % 24, minute=minute)
    candidates = [hour]
    if mer is None and hint is None and 1 <= h <= 11:
        candidates.append(h + 12)
    if h == 24:
        candidates = [0]
    for offset in (0, 1):
        for c in candidates:
            at = datetime.combine(now.date() + timedelta(days=offset), datetime.min.time())
            at = at.replace(hour=c, minute=minute)
            if at > now:
                return at
    return None  # unreachable: tomorrow is always later


# ----------------------------------------------------------------------------- recurrence

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)
WEEKDAYS_ONLY = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
RECURRENCE_PHRASES: dict[tuple[str, ...], tuple[int, ...]] = {
    ("every", "day"): EVERY_DAY, ("each", "day"): EVERY_DAY, ("daily",): EVERY_DAY,
    ("every", "morning"): EVERY_DAY, ("every", "night"): EVERY_DAY,
    ("every", "evening"): EVERY_DAY, ("everyday",): EVERY_DAY,
    ("every", "weekday"): WEEKDAYS_ONLY, ("weekdays",): WEEKDAYS_ONLY,
    ("every", "working", "day"): WEEKDAYS_ONLY, ("working", "days"): WEEKDAYS_ONLY,
    ("workdays",): WEEKDAYS_ONLY, ("monday", "to", "friday"): WEEKDAYS_ONLY,
    ("monday", "through", "friday"): WEEKDAYS_ONLY,
    ("weekends",): WEEKEND, ("every", "weekend"): WEEKEND, ("weekend",): WEEKEND,
}


def parse_recurrence(text: str) -> tuple[int, ...] | None:
    """Repeating weekdays (0 = Monday): "every weekday" -> (0..4), "every day" -> (0..6),
    "on mondays and wednesdays" -> (0, 2). A single "on monday" is a date, not a recurrence."""
    toks = tokenize(text)
    days: set[int] = set()
    every = any(t in ("every", "each") for t in toks)
    i = 0
    while i < len(toks):
        for phrase, value in RECURRENCE_PHRASES.items():
            if tuple(toks[i:i + len(phrase)]) == phrase:
                days.update(value)
                i += len(phrase) - 1
                break
        else:
            if toks[i] in WEEKDAY_PLURALS:
                days.add(WEEKDAY_PLURALS[toks[i]])
            elif toks[i] in WEEKDAYS and every:
                days.add(WEEKDAYS[toks[i]])
        i += 1
    return tuple(sorted(days)) or None


# ----------------------------------------------------------------------------- slots


def parse_level(text: str) -> Number | None:
    """A volume level as a percentage: "fifty percent" -> 50, "five" (of ten) -> 50,
    "max" -> 100, "half" -> 50."""
    toks = [t for t in tokenize(text) if t not in ("to", "at", "the", "volume", "level", "set")]
    words = {"max": 100, "maximum": 100, "full": 100, "loudest": 100, "half": 50,
             "min": 0, "minimum": 0, "lowest": 0, "mute": 0, "off": 0, "quietest": 0}
    if len(toks) == 1 and toks[0] in words:
        return words[toks[0]]
    pct = parse_percent(" ".join(toks))
    if pct is not None:
        return max(0, min(100, pct))
    out_of_ten = toks[-3:] == ["out", "of", "ten"]
    num = parse_number(" ".join(toks[:-3] if out_of_ten else toks))
    if num is None:
        return None
    return max(0, min(100, num * 10 if out_of_ten or num <= 10 else num))


_ARTICLES = ("the", "a", "an", "some", "my", "more")


def clean_phrase(text: str) -> str:
    """Free text slot: lower-case words without leading articles ("some milk" -> "milk")."""
    toks = [t for t in re.sub(r"[^\w\s'-]", " ", text.lower()).split()]
    while toks and toks[0] in _ARTICLES:
        toks = toks[1:]
    return " ".join(toks)


def timer_name(text: str) -> str | None:
    """ "the pasta timer" -> "pasta"; "timer" alone -> None."""
    skip = ("timer", "timers", "one", "for", "the", "a", "an", "my", "on")
    words = [t for t in clean_phrase(text).split() if t not in skip]
    return " ".join(words) or None


LIST_ALIASES = {"shopping": "shopping", "groceries": "shopping", "grocery": "shopping",
                "todo": "to-do", "to-do": "to-do", "to do": "to-do", "task": "to-do",
                "tasks": "to-do", "chores": "to-do", "chore": "to-do"}


def list_name(text: str) -> str | None:
    """ "my shopping list" -> "shopping", "to do list" -> "to-do", "packing list" -> "packing"."""
    words = [t for t in clean_phrase(text).replace("-", " ").split() if t != "list"]
    name = " ".join(words)
    return LIST_ALIASES.get(name, name) or None


def _unit(text: str) -> str | None:
    from assistant.skills.units import canonical_unit  # the conversion table lives with the skill

    return canonical_unit(text)


def _expression(text: str) -> Number | None:
    from assistant.skills.mathparse import evaluate

    return evaluate(text)


NORMALIZERS: dict[str, Callable[[str, datetime], Any]] = {
    "duration": lambda text, now: parse_duration(text),
    "time": parse_time,
    "date": parse_date,
    "recurrence": lambda text, now: parse_recurrence(text),
    "level": lambda text, now: parse_level(text),
    "amount": lambda text, now: parse_number(text),
    "number": lambda text, now: parse_number(text),
    "percent": lambda text, now: parse_percent(text),
    "from_unit": lambda text, now: _unit(text),
    "to_unit": lambda text, now: _unit(text),
    "expression": lambda text, now: _expression(text),
    "name": lambda text, now: timer_name(text),
    "list": lambda text, now: list_name(text),
    "item": lambda text, now: clean_phrase(text) or None,
}


def normalize_slot(name: str, text: str, now: datetime | None = None) -> Any:
    """The value of slot ``name`` spoken as ``text`` (seconds, datetime, date, weekday tuple,
    number, canonical name), or the cleaned text for free-text slots; None when it does not
    parse. Never raises on odd text."""
    fn = NORMALIZERS.get(name)
    if fn is None:
        return text.strip() or None
    return fn(text, now or datetime.now())
