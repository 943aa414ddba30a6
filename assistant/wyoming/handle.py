"""Skills and understanding as services: ``transcript`` -> ``handled`` (Hearth's spoken reply,
from its skills, timers, lists and memory) and ``recognize`` -> ``intent`` with entities.

Each connection has its own dialogue (a question Hearth asked is answered on the same
connection); a client that names its conversation (``context.conversation_id``, as Home
Assistant does) keeps that dialogue across connections. Every dialogue shares the one store, so
a timer set here is the loop's timer too, and each turn goes into the history the nightly job
learns from. An answer from the generative model streams out sentence by sentence
(``handled-start``, ``handled-chunk``..., ``handled``, ``handled-stop``).

Every request is one INFO line on the ``assistant.wyoming.actions`` logger (client, what was
asked, the intent and slots it became, how it ended): what a client did to the household is
in the journal. Turns run on the dialogue threads, apart from the engines' (see ``engines``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from wyoming.asr import Transcript
from wyoming.event import Eventable
from wyoming.handle import Handled, HandledChunk, HandledStart, HandledStop, NotHandled
from wyoming.intent import Entity, Intent, NotRecognized, Recognize

from assistant.events import Reply, Slot, Turn, Understanding
from assistant.events import Transcript as HeardText
from assistant.pipeline.loop import NOT_CAUGHT
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.values.slots import resolve
from assistant.wyoming.engines import Conversation, Engines

log = logging.getLogger(__name__)
actions = logging.getLogger("assistant.wyoming.actions")

CONVERSATION_KEY = "conversation_id"


def jsonable(value: Any) -> Any:
    """A slot value as JSON: numbers and text as they are, times as ISO 8601, tuples as lists."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def entities(u: Understanding) -> list[Entity]:
    """The understanding's slots as Wyoming entities, each with its resolved value (the words
    when a value did not parse)."""
    return [Entity(s.name, jsonable(s.value if s.value is not None else s.text)) for s in u.slots]


def recognized(u: Understanding) -> bool:
    return u.in_scope and u.intent != OUT_OF_SCOPE


def described(u: Understanding) -> str:
    """An understanding as a log reads it: ``list_add {item='milk', list='shopping'}``."""
    slots = ", ".join(f"{s.name}={jsonable(s.value if s.value is not None else s.text)!r}"
                      for s in u.slots)
    return f"{u.intent} {{{slots}}}"


class HandleSession:
    """One connection's requests to the skills and the understanding."""

    def __init__(self, engines: Engines, send: Callable[[Eventable], Awaitable[None]],
                 peer: str = "") -> None:
        self.engines = engines
        self.send = send
        self.peer = peer
        self._own: Conversation | None = None

    def _log(self, asked: str, u: Understanding | None, outcome: str) -> None:
        actions.info("wyoming: %s: %s -> %s: %s", self.peer, asked,
                     described(u) if u is not None else "nothing", outcome)

    def _conversation(self, context: dict[str, Any] | None) -> Conversation:
        key = (context or {}).get(CONVERSATION_KEY)
        if isinstance(key, str) and key:
            return self.engines.conversation(key)
        if self._own is None:
            self._own = self.engines.new_conversation()
        return self._own

    # -- intent recognition --------------------------------------------------------------
    async def recognize(self, request: Recognize) -> None:
        u = await self.engines.run(self._parse, request.text, datetime.now())
        if not recognized(u):
            self._log(f"recognize {request.text!r}", u, "not recognized")
            await self.send(NotRecognized(context=request.context))
            return
        self._log(f"recognize {request.text!r}", u, "recognized")
        await self.send(Intent(name=u.intent, entities=entities(u), context=request.context))

    def _parse(self, text: str, now: datetime) -> Understanding:
        return resolve(self.engines.understand(text), now)

    # -- handling ------------------------------------------------------------------------
    async def transcript(self, request: Transcript) -> None:
        conv = self._conversation(request.context)
        text = request.text.strip()
        if not text:
            await self._answer(Reply(NOT_CAUGHT, ok=False), request.context)
            return
        u, reply = await self.engines.run_dialogue(self._respond, conv, text)
        self._log(f"transcript {text!r}", u, _outcome(reply))
        await self._answer(reply, request.context, HeardText(text=text), u)

    async def intent(self, request: Intent) -> None:
        """A structured intent (the client did the understanding): its entities fill the slots."""
        if request.name not in INTENTS:
            self._log(f"intent {request.name!r}", None, "no such intent")
            await self.send(NotHandled(text=f"Hearth has no intent called {request.name}.",
                                       context=request.context))
            return
        slots = [Slot(e.name, str(e.value)) for e in request.entities if e.value is not None]
        u = Understanding(request.text or request.name, request.name, 1.0, slots,
                          source="wyoming")
        conv = self._conversation(request.context)
        u, reply = await self.engines.run_dialogue(self._respond, conv, None, u)
        self._log(f"intent {request.name!r}", u, _outcome(reply))
        await self._answer(reply, request.context, HeardText(text=u.text), u)

    def _respond(self, conv: Conversation, text: str | None,
                 given: Understanding | None = None) -> tuple[Understanding, Reply]:
        with conv.lock:
            dialogue = conv.dialogue
            parsed = given if given is not None else self.engines.understand(text or "")
            u = resolve(parsed, dialogue.clock())  # read against the clock the skill sees
            return u, dialogue.respond(u)

    async def _answer(self, reply: Reply, context: dict[str, Any] | None,
                      heard: HeardText | None = None, u: Understanding | None = None) -> None:
        streamed = reply.stream is not None
        if streamed:
            await self._stream(reply)
        if heard is not None and self.engines.c.history is not None:
            turn = Turn(heard, u, reply)
            await self.engines.run(self._record, turn)
        if reply.ok:
            await self.send(Handled(text=reply.text, context=context))
        else:
            await self.send(NotHandled(text=reply.text, context=context))
        if streamed:
            await self.send(HandledStop())

    async def _stream(self, reply: Reply) -> None:
        """The generated answer as handled-chunks while it decodes; ``reply.text`` filled."""
        assert reply.stream is not None
        stream: Iterator[str] = reply.stream
        reply.stream = None
        spoken = [reply.text] if reply.text else []
        await self.send(HandledStart())
        if reply.text:
            await self.send(HandledChunk(text=reply.text))
        while (sentence := await self.engines.run(next, stream, None)) is not None:
            await self.send(HandledChunk(text=(" " if spoken else "") + sentence))
            spoken.append(sentence)
        reply.text = " ".join(spoken)

    def _record(self, turn: Turn) -> None:
        try:
            assert self.engines.c.history is not None
            self.engines.c.history.record(turn)
        except Exception as e:  # history must never cost the client its answer
            log.warning("history: %s", e)


def _outcome(reply: Reply) -> str:
    return ("ok" if reply.ok else "not done") + (f" ({reply.text!r})" if reply.text and not reply.ok else "")
