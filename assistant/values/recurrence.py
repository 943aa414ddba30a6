"""Repeating weekdays: "every weekday", "on mondays and wednesdays", "weekends"."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from assistant.values.date import WEEKDAY_PLURALS, WEEKDAYS
from assistant.values.number import tokenize

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


def next_on(days: tuple[int, ...], hour: int, minute: int, after: datetime) -> datetime:
    """The first moment after ``after`` at hour:minute on one of ``days`` (0 = Monday)."""
    for offset in range(8):
        day: date = after.date() + timedelta(days=offset)
        at = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
        if day.weekday() in days and at > after:
            return at
    raise ValueError(f"no day in {days}")


def stored(days: tuple[int, ...]) -> str:
    """Repeating weekdays as a database column holds them: (0, 2) -> "0,2"; () -> ""."""
    return ",".join(map(str, days))


def from_stored(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d)


def named_days(text: str) -> frozenset[int]:
    """The weekdays the words name, one-off or repeating: "the saturday alarm" -> {5}, "my
    weekday alarm" -> {0..4}, "weekends" -> {5, 6}; nothing named -> empty."""
    days: set[int] = set()
    for t in tokenize(text):
        if t in WEEKDAYS:
            days.add(WEEKDAYS[t])
        elif t in WEEKDAY_PLURALS:
            days.add(WEEKDAY_PLURALS[t])
        elif t in ("weekday", "weekdays"):
            days.update(WEEKDAYS_ONLY)
        elif t in ("weekend", "weekends"):
            days.update(WEEKEND)
    return frozenset(days)
