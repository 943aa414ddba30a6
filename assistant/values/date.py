"""Calendar dates relative to today: "tomorrow", "next friday", "the twenty fifth of december",
"christmas eve"."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from assistant.values.number import FILLER, read_ordinal, tokenize

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


def _on(month: int, day: int) -> Callable[[int], date]:
    return lambda year: date(year, month, day)


def _nth(month: int, weekday: int, n: int) -> Callable[[int], date]:
    """The ``n``-th ``weekday`` of ``month`` (``n`` -1: the last)."""
    def day(year: int) -> date:
        if n > 0:
            first = date(year, month, 1)
            return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    return day


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (h + m - 7 * ((a + 11 * h + 22 * m) // 451) + 114)
    return date(year, n // 31, n % 31 + 1)


# holidays: token phrase -> its date in a given year, longest phrases first when matching. The
# movable ones are the US dates (Hearth speaks American English: Mother's Day is May's second
# Sunday). The templates' date list (sentences/data/common.yaml) names the same days.
HOLIDAYS: dict[tuple[str, ...], Callable[[int], date]] = {
    ("christmas", "eve"): _on(12, 24),
    ("christmas", "day"): _on(12, 25),
    ("christmas",): _on(12, 25),
    ("xmas",): _on(12, 25),
    ("boxing", "day"): _on(12, 26),
    ("new", "years", "eve"): _on(12, 31),
    ("new", "years", "day"): _on(1, 1),
    ("new", "years"): _on(1, 1),
    ("new", "year"): _on(1, 1),
    ("halloween",): _on(10, 31),
    ("valentines", "day"): _on(2, 14),
    ("valentines",): _on(2, 14),
    ("st", "patricks", "day"): _on(3, 17),
    ("saint", "patricks", "day"): _on(3, 17),
    ("april", "fools", "day"): _on(4, 1),
    ("independence", "day"): _on(7, 4),
    ("easter", "sunday"): easter,
    ("easter", "monday"): lambda year: easter(year) + timedelta(days=1),
    ("easter",): easter,
    ("good", "friday"): lambda year: easter(year) - timedelta(days=2),
    ("mothers", "day"): _nth(5, 6, 2),
    ("fathers", "day"): _nth(6, 6, 3),
    ("memorial", "day"): _nth(5, 0, -1),
    ("labor", "day"): _nth(9, 0, 1),
    ("thanksgiving", "day"): _nth(11, 3, 4),
    ("thanksgiving",): _nth(11, 3, 4),
}
DAY_OFFSETS = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1,
               # possessives as tokenize leaves them ("tomorrow's date")
               "todays": 0, "tonights": 0, "tomorrows": 1, "yesterdays": -1}
# the hour a part of the day stands for when no time of day is said ("remind me tomorrow
# morning"): said back with the reminder, so the user hears it and can change it
PART_OF_DAY_HOURS = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20, "tonight": 20}


def _next_weekday(today: date, weekday: int, allow_today: bool) -> date:
    ahead = (weekday - today.weekday()) % 7
    if ahead == 0 and not allow_today:
        ahead = 7
    return today + timedelta(days=ahead)


def _weekend(today: date, later: bool) -> date:
    """ "this weekend": its Saturday (today, on a Sunday); "next weekend": the one after it when
    said from Friday to Sunday, else the coming one."""
    saturday = today + timedelta(days=5 - today.weekday())  # this week's (yesterday, on a Sunday)
    if later and today.weekday() >= 4:
        return saturday + timedelta(days=7)
    return max(saturday, today)


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


def _said_year(toks: list[str], i: int, today: date) -> tuple[int | None, int]:
    """A year after a day's name: "2027", "this year" (even when the day has passed: "what day
    was christmas this year"), "next year", "last year"."""
    offset = {"this": 0, "next": 1, "last": -1}.get(toks[i] if i < len(toks) else "")
    if offset is not None and toks[i + 1:i + 2] == ["year"]:
        return today.year + offset, i + 2
    return _read_year(toks, i)


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
    if j < n and toks[j] == "weekend":
        return _weekend(today, later=qualifier == "next"), j + 1
    if qualifier == "next" and toks[j:j + 1] == ["week"]:  # "next week": its Monday
        return _next_weekday(today, 0, allow_today=False), j + 1
    if qualifier:
        return None
    for phrase, day_in in HOLIDAYS.items():
        if tuple(toks[j:j + len(phrase)]) == phrase:
            year, k = _said_year(toks, j + len(phrase), today)
            d = day_in(year or today.year)
            return (d if year or d >= today else day_in(today.year + 1)), k
    # "december (the) twenty fifth (2026)"
    if j < n and toks[j] in MONTHS:
        k = j + 1 + (j + 1 < n and toks[j + 1] == "the")
        ordinal = read_ordinal(toks, k)
        if ordinal:
            year, k = _said_year(toks, ordinal[1], today)
            d = _future_date(today, MONTHS[toks[j]], ordinal[0], year)
            return (d, k) if d else None
    # "(the) twenty fifth (of) december (2026)"
    ordinal = read_ordinal(toks, j)
    if ordinal:
        k = ordinal[1] + (ordinal[1] < n and toks[ordinal[1]] == "of")
        if k < n and toks[k] in MONTHS:
            year, k2 = _said_year(toks, k + 1, today)
            d = _future_date(today, MONTHS[toks[k]], ordinal[0], year)
            return (d, k2) if d else None
        if j > i and toks[i] == "the":  # "the twenty first": that day of this month or the next
            d = _day_of_month(today, ordinal[0])
            return (d, ordinal[1]) if d else None
    return None


def _day_of_month(today: date, day: int) -> date | None:
    """The next date that is the ``day``-th of a month (today included)."""
    year, month = today.year, today.month
    for _ in range(12):
        if day <= calendar.monthrange(year, month)[1] and date(year, month, day) >= today:
            return date(year, month, day)
        year, month = year + month // 12, month % 12 + 1
    return None


def parse_date(text: str, now: datetime | None = None) -> date | None:
    """The text as a calendar date relative to ``now`` (future dates for month/day phrases); a
    part of the day said with it is left to the caller ("tomorrow morning" is tomorrow)."""
    toks = tokenize(text)
    today = (now or datetime.now()).date()
    for i in range(len(toks)):
        got = read_date(toks, i, today)
        if got and all(t in FILLER or t in ("day", "date", "what") or t in PART_OF_DAY_HOURS
                       for t in toks[:i] + toks[got[1]:]):
            return got[0]
    return None


def find_date(text: str, now: datetime | None = None) -> tuple[date, str] | None:
    """The first date phrase anywhere in ``text``, and its words: for a date the understanding
    did not tag whole ("what day is christmas this year" with only "this year" as the date)."""
    toks = tokenize(text)
    today = (now or datetime.now()).date()
    for i in range(len(toks)):
        if got := read_date(toks, i, today):
            return got[0], " ".join(toks[i:got[1]])
    return None


def date_at_end(text: str, now: datetime | None = None) -> tuple[str, date] | None:
    """A date phrase that ends ``text``, split off: "the dentist on friday" -> ("the dentist",
    friday), for a date the understanding left inside a free-text slot."""
    words = text.split()
    toks = [w.lower().replace("'", "") for w in words]
    today = (now or datetime.now()).date()
    for i in range(1, len(toks)):
        got = read_date(toks, i, today)
        if got and got[1] == len(toks):
            head = words[:i - 1] if toks[i - 1] in ("on", "for") else words[:i]
            return (" ".join(head), got[0]) if head else None
    return None
