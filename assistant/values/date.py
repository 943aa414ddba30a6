"""Calendar dates relative to today: "tomorrow", "next friday", "the twenty fifth of december",
"christmas eve"."""

from __future__ import annotations

import re
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
DAY_OFFSETS = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
# the hour a part of the day stands for when no time of day is said ("remind me tomorrow
# morning"): said back with the reminder, so the user hears it and can change it
PART_OF_DAY_HOURS = {"morning": 9, "afternoon": 15, "evening": 18, "night": 20, "tonight": 20}


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
