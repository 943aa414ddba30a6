"""What the dialogue remembers between turns: the last intent and reply, what it is waiting
for (a missing slot, a yes/no, a "did you mean"), and per-topic scratch the skills share
("the timer we just talked about", "the list we just added to")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.events import Reply, Understanding


@dataclass
class Pending:
    """A question the assistant asked and the understanding it belongs to.

    ``kind`` is "slot" (waiting for ``slot``), "confirm" (yes/no before a destructive action)
    or "intent" (low confidence: "did you mean ...?")."""

    kind: str
    understanding: Understanding
    slot: str = ""
    attempts: int = 0
    asked_at: datetime | None = None  # a question left unanswered this long is dropped


@dataclass
class DialogueContext:
    """Per-conversation state; lives in memory (a restart forgets the conversation, not the
    timers or lists, which are in the store)."""

    last_intent: str = ""
    last_understanding: Understanding | None = None
    last_reply: Reply | None = None
    pending: Pending | None = None
    topic: dict[str, Any] = field(default_factory=dict)
