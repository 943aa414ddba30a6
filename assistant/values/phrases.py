"""Free-text and named slots: cleaned phrases, timer and list names, volume levels."""

from __future__ import annotations

import re

from assistant.values.number import Number, parse_number, parse_percent, tokenize


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
