"""Decide whether a partial transcript is already a complete, confident command.

A fixed trailing-silence timeout makes every turn wait ~0.7 s after the last word. When the words
so far already parse as a command with all its required slots, a short pause is enough.
"""

from __future__ import annotations

from assistant.understanding.base import Understander
from assistant.understanding.intents import OUT_OF_SCOPE, REQUIRED_SLOTS
from assistant.values.slots import resolve


def is_complete(understander: Understander, partial: str, min_confidence: float) -> bool:
    """True when ``partial`` parses in scope, confidently, with every required slot filled."""
    words = partial.split()
    if not words or words[-1] in _DANGLING:  # "... my car is on" - more is coming
        return False
    u = resolve(understander.parse(partial))
    if not u.in_scope or u.intent in (OUT_OF_SCOPE, "general_question"):
        return False
    if u.confidence < min_confidence:
        return False
    for name in REQUIRED_SLOTS.get(u.intent, ()):
        slot = u.slot(name)
        if slot is None or slot.value is None:
            return False
    return True


_DANGLING = frozenset({"a", "an", "the", "and", "to", "for", "at", "in", "of", "my", "on", "is",
                       "by", "with", "from", "that", "about", "your", "our", "his", "her"})
