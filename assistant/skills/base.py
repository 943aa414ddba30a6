"""The skill API: a skill turns one understood request into a structured result; templates in
:mod:`assistant.skills.render` turn that into words, so skills never build sentences and tests
can check data rather than phrasing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from assistant.events import Understanding
from assistant.store import Store

Generate = Callable[[str], Iterator[str]]


@dataclass
class SkillRequest:
    """One call of a skill: the understanding (its slot values already resolved against
    ``now``), the injected clock reading, the shared store and the conversation's ``topic``
    scratch ("the timer we just talked about"). ``confirmed`` is True when the user said yes
    to a confirmation."""

    understanding: Understanding
    now: datetime
    store: Store
    topic: dict[str, Any] = field(default_factory=dict)
    confirmed: bool = False
    generate: Generate | None = None

    @property
    def text(self) -> str:
        return self.understanding.text

    def slot_text(self, name: str) -> str | None:
        slot = self.understanding.slot(name)
        return slot.text.strip() if slot and slot.text and slot.text.strip() else None

    def value(self, name: str) -> Any:
        """The slot's value (see ``values.slots.resolve``), or None."""
        slot = self.understanding.slot(name)
        return slot.value if slot is not None else None

    def words(self) -> set[str]:
        """The utterance's lower-case words, for skills that look for "all" or "resume"."""
        return set(self.text.lower().replace("-", " ").split())


@dataclass
class SkillResult:
    """What a skill did: a template ``key`` plus ``data`` for it.

    ``missing`` names a slot the skill needs (the key is then the question, e.g. "For how
    long?"); ``confirm`` asks yes/no before a destructive action (the skill is called again
    with ``confirmed=True``). ``text`` / ``stream`` carry literal or generated words."""

    key: str
    data: dict[str, Any] = field(default_factory=dict)
    expects_answer: bool = False
    missing: str | None = None
    confirm: bool = False
    ok: bool = True
    text: str | None = None
    stream: Iterator[str] | None = None

    @property
    def asks(self) -> bool:
        return self.expects_answer or self.confirm or self.missing is not None


@dataclass
class DueEvent:
    """Something scheduled that has come due (a timer, alarm or reminder)."""

    key: str  # template key, e.g. "timer.done"; "<key>.missed" when it fell due while off
    data: dict[str, Any]
    at: datetime  # when it was due


@runtime_checkable
class Skill(Protocol):
    """A small class that handles some of Hearth's intents."""

    name: str
    intents: frozenset[str]
    summary: str  # what it can do, for "what can you do?" ("" = not mentioned)

    def setup(self, store: Store) -> None:
        """Create or migrate the skill's tables (called once per store)."""

    def handle(self, request: SkillRequest) -> SkillResult: ...


@runtime_checkable
class DueSource(Protocol):
    """A skill that schedules things: ``due`` claims (removes or reschedules) and returns
    everything due at ``now`` in one transaction, so each event fires once."""

    def setup(self, store: Store) -> None: ...

    def due(self, store: Store, now: datetime) -> list[DueEvent]: ...


class BaseSkill:
    """Defaults for the optional parts of :class:`Skill`."""

    name = ""
    intents: frozenset[str] = frozenset()
    summary = ""

    def setup(self, store: Store) -> None:
        return None


def to_epoch(at: datetime) -> float:
    """Deadlines are stored as absolute epoch seconds so they survive restarts."""
    return at.timestamp()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds)
