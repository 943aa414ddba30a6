"""Test doubles for the skills and dialogue tests: a settable clock and a conversation driver
that feeds fake Understandings (as the NLU would produce them) to a DialogueManager."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from assistant.dialogue.manager import DialogueManager
from assistant.events import Reply, Slot, Understanding
from assistant.store import Store

FRIDAY_2PM = datetime(2025, 3, 14, 14, 0)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = FRIDAY_2PM) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> datetime:
        self.now += timedelta(**kw)
        return self.now


def understanding(text: str, intent: str, confidence: float = 0.95, **slots: str) -> Understanding:
    return Understanding(text, intent, confidence, [Slot(k, v) for k, v in slots.items()])


class Conversation:
    """A DialogueManager on a fresh database with a fake clock; ``say`` is one user turn."""

    def __init__(self, db: Path | str = ":memory:", clock: FakeClock | None = None, **kw) -> None:
        self.clock = clock or FakeClock()
        self.store = Store(db)
        kw.setdefault("plugins", False)
        self.dm = DialogueManager(self.store, clock=self.clock, **kw)
        self.transcript: list[str] = []

    def say(self, text: str, intent: str, confidence: float = 0.95, **slots: str) -> Reply:
        reply = self.dm.respond(understanding(text, intent, confidence, **slots))
        self.transcript += [f"> {text}", f"< {reply.text}"]
        return reply

    def key(self, text: str, intent: str, confidence: float = 0.95, **slots: str) -> str:
        """The result key of the reply (what the skill decided, independent of wording)."""
        return self.say(text, intent, confidence, **slots).data["key"]
