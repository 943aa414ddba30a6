"""Turn skill results into sentences: template lists with seeded variety, and the helpers that
say durations, clock times, dates and lists the way a person would."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from assistant.skills.templates import TEMPLATES

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Renderer:
    """Picks one of the templates for a key; seeded so tests (and repeats) are deterministic."""

    def __init__(self, seed: int | None = 0, templates: Mapping[str, list[str]] = TEMPLATES) -> None:
        self.random = random.Random(seed)
        self.templates = templates

    def render(self, key: str, data: Mapping[str, Any] | None = None) -> str:
        """The sentence for ``key``; a missing key or field is a bug, so it raises KeyError."""
        options = self.templates[key]
        text = self.random.choice(options).format_map(dict(data or {}))
        return text[:1].upper() + text[1:]


def say_number(value: float) -> str:
    """12.0 -> "12", 3.14159 -> "3.14", 1234567 -> "1234567"."""
    if abs(value - round(value)) < 1e-9:
        return str(int(round(value)))
    return f"{value:.4g}" if abs(value) < 1e6 else f"{value:.0f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def count_of(n: int, word: str, plural: str | None = None) -> str:
    """(1, "alarm") -> "1 alarm"; (3, "item") -> "3 items"."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def say_duration(seconds: float, precise: bool = True) -> str:
    """ "1 hour and 30 minutes", "45 seconds"; past ten minutes seconds are rounded away
    unless ``precise``."""
    s = max(0, int(round(seconds)))
    if not precise and s >= 600:
        s = int(round(s / 60)) * 60
    parts = []
    for size, word in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if s >= size:
            parts.append(_plural(s // size, word))
            s %= size
    return say_list(parts) if parts else "0 seconds"


def say_list(items: Iterable[str], conj: str = "and") -> str:
    """["milk", "eggs", "bread"] -> "milk, eggs and bread"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def say_clock(at: datetime) -> str:
    """ "7:30 PM", "7 AM", "noon", "midnight"."""
    if at.minute == 0 and at.hour in (0, 12):
        return "midnight" if at.hour == 0 else "noon"
    hour = at.hour % 12 or 12
    mer = "AM" if at.hour < 12 else "PM"
    return f"{hour} {mer}" if at.minute == 0 else f"{hour}:{at.minute:02d} {mer}"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def say_date(day: date, today: date | None = None, relative: bool = True) -> str:
    """ "today", "tomorrow" (unless not ``relative``), or "Friday, March 14th" (with the year
    when it is not ``today``'s)."""
    if today is not None and relative:
        delta = (day - today).days
        if delta in (0, 1, -1):
            return {0: "today", 1: "tomorrow", -1: "yesterday"}[delta]
    text = f"{WEEKDAY_NAMES[day.weekday()]}, {day.strftime('%B')} {ordinal(day.day)}"
    if today is not None and day.year != today.year:
        text += f", {day.year}"
    return text


def say_when(at: datetime, now: datetime) -> str:
    """ "7 AM tomorrow", "7:30 PM today", "9 AM on Friday, March 21st"."""
    day = say_date(at.date(), now.date())
    if day in ("today", "tomorrow", "yesterday"):
        return f"{say_clock(at)} {day}"
    return f"{say_clock(at)} on {day}"


def say_days(days: Iterable[int]) -> str:
    """(0..4) -> "on weekdays", (0..6) -> "every day", (0, 2) -> "on Mondays and Wednesdays"."""
    days = tuple(sorted(days))
    named = {(0, 1, 2, 3, 4, 5, 6): "every day", (0, 1, 2, 3, 4): "on weekdays",
             (5, 6): "on weekends"}
    if days in named:
        return named[days]
    return "on " + say_list(WEEKDAY_NAMES[d] + "s" for d in days)


# first / second person swaps for repeating what the user said back to them
_SWAPS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself",
          "i'm": "you're", "im": "you're", "i've": "you've", "i'll": "you'll", "am": "are",
          "we": "you", "our": "your", "us": "you", "ours": "yours", "was": "was"}


def you_form(text: str) -> str:
    """ "my car is on level three" -> "your car is on level three"; "I am" -> "you are"."""
    words = text.split()
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if lw == "was" and i and words[i - 1].lower() == "i":
            out.append("were")
        elif lw in _SWAPS:
            out.append(_SWAPS[lw])
        else:
            out.append(w)
    return re.sub(r"\s+", " ", " ".join(out)).strip()
