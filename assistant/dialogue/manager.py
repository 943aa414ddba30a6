"""The dialogue manager: one Understanding in, one Reply out. It routes to skills, fills
missing slots across turns, asks before destructive actions and when the understanding is
unsure, carries context into follow-ups, handles stop / cancel / repeat, and hands out
fired timers, alarms and reminders through :meth:`due`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from assistant.dialogue.clarify import question, yes_no
from assistant.dialogue.context import DialogueContext, Pending
from assistant.dialogue.followups import carry_over
from assistant.events import Reply, Slot, Understanding
from assistant.skills.base import Generate, Skill, SkillRequest, SkillResult
from assistant.skills.registry import DEFAULT_TIMEOUT, SkillRegistry, run_skill
from assistant.skills.render import Renderer
from assistant.skills.scheduler import Scheduler
from assistant.skills.templates import TEMPLATES
from assistant.skills.volume import read_volume
from assistant.store import Store
from assistant.values.slots import normalize, resolve

log = logging.getLogger(__name__)

# never "did you mean ...?" for these: asking back costs more than a wrong guess
NO_CLARIFY = frozenset({"affirm", "negate", "stop", "cancel", "repeat", "out_of_scope",
                        "general_question", "greeting", "thanks"})
# slots whose answer is free text: any words fill them unless they are clearly a new request
FREE_TEXT_SLOTS = frozenset({"task", "fact", "item", "query", "name", "place", "song", "artist"})
ANSWER_INTENTS = frozenset({"out_of_scope", "general_question", "affirm"})
# a missing slot's neighbours: "what time?" answered "tomorrow" (however the NLU reads it) is
# the day, and the time is asked again
COMPANIONS = {"time": ("date",)}
MAX_ASKS = 2


PENDING_TTL_S = 60.0  # how long an unanswered question ("For how long?") stays open


class DialogueManager:
    """Holds the conversation state; ``clock`` is injected so tests control time."""

    def __init__(self, store: Store, clock: Callable[[], datetime] = datetime.now,
                 generate: Generate | None = None, skills: Iterable[Skill] | None = None,
                 confirm_below: float = 0.55, skill_timeout: float = DEFAULT_TIMEOUT,
                 seed: int | None = 0, plugins: bool = True) -> None:
        self.store = store
        self.clock = clock
        self.generate = generate
        self.confirm_below = confirm_below
        self.skill_timeout = skill_timeout
        self.registry = SkillRegistry(store, skills, plugins=plugins)
        templates = dict(TEMPLATES)
        for skill in self.registry.skills:  # third-party skills may bring their own wordings
            templates.update(getattr(skill, "templates", {}) or {})
        self.renderer = Renderer(seed, templates)
        self.context = DialogueContext()
        self.scheduler = Scheduler(store, self.registry.due_sources(), clock=clock,
                                   renderer=Renderer(None if seed is None else seed + 1, templates))

    # ------------------------------------------------------------------ public

    def respond(self, u: Understanding) -> Reply:
        """The reply to one utterance; never raises (a bug becomes a spoken apology)."""
        pending = self.context.pending
        if pending is not None and pending.asked_at is not None and \
                (self.clock() - pending.asked_at).total_seconds() > PENDING_TTL_S:
            self.context.pending = None  # "set a timer" ... twenty minutes later is a new request
        try:
            reply = self._respond(u)
            if self.context.pending is not None and self.context.pending.asked_at is None:
                self.context.pending.asked_at = self.clock()
        except Exception:
            log.exception("dialogue failed on %r", u.text)
            self.context.pending = None
            reply = self._say("skill.error", intent=u.intent, ok=False)
        if reply.intent != "repeat":  # ("a bit more" read as repeat but done as volume_down is kept)
            self.context.last_reply = reply
        return reply

    def gain(self) -> float:
        """The speaker gain the household set by voice (0 while muted)."""
        return read_volume(self.store).gain

    def due(self, now: datetime | None = None) -> list[Reply]:
        """Timers, alarms and reminders that have fired by ``now`` (each exactly once)."""
        return self.scheduler.poll(now)

    # ------------------------------------------------------------------ turn logic

    def _say(self, key: str, data: dict | None = None, intent: str = "",
             expects_answer: bool = False, ok: bool = True) -> Reply:
        data = dict(data or {})
        return Reply(self.renderer.render(key, data), intent=intent, data={**data, "key": key},
                     expects_answer=expects_answer, ok=ok)

    def _respond(self, u: Understanding) -> Reply:
        ctx = self.context
        if u.intent in ("stop", "cancel", "repeat") and ctx.pending is None:
            u = carry_over(u, ctx, self.confirm_below)  # "cancel it": the timer just set
        if u.intent == "stop":
            ctx.pending = None
            return Reply("", intent="stop", data={"stop": True, "key": "stop"})
        if u.intent == "cancel":
            had = ctx.pending is not None
            ctx.pending = None
            return self._say("dialogue.kept" if had else "dialogue.ok", intent="cancel")
        if u.intent == "repeat":
            if ctx.last_reply is None:
                return self._say("dialogue.nothing_to_repeat", intent="repeat")
            last = ctx.last_reply
            return Reply(last.text, intent="repeat", data=dict(last.data),
                         expects_answer=last.expects_answer, ok=last.ok)
        if ctx.pending is not None:
            reply = self._answer_pending(ctx.pending, u)
            if reply is not None:
                return reply
        u = carry_over(u, ctx, self.confirm_below)
        if u.confidence < self.confirm_below and u.intent not in NO_CLARIFY:
            ctx.pending = Pending("intent", u)
            key, what = question(u)
            return self._say(key, {"what": what, "intent": u.intent},
                             intent=u.intent, expects_answer=True)
        return self._run(u)

    def _answer_pending(self, p: Pending, u: Understanding) -> Reply | None:
        """Treat ``u`` as the answer to the question asked; None = it is a new request."""
        self.context.pending = None
        if p.kind in ("confirm", "intent"):
            answer = yes_no(u)
            if answer is None:
                return None
            if not answer:
                return self._say("dialogue.kept" if p.kind == "confirm" else "dialogue.ok",
                                 intent=p.understanding.intent)
            return self._run(p.understanding, confirmed=p.kind == "confirm")
        if u.intent == "negate":
            return self._say("dialogue.kept", intent=p.understanding.intent)
        filled = self._fill(p, u)
        if filled is None:
            return None
        reply = self._run(filled)
        again = self.context.pending
        answered = filled.slot(p.slot) is not None  # not only a companion: the answer failed
        if again is not None and again.kind == "slot" and again.slot == p.slot and answered:
            again.attempts = p.attempts + 1
            if again.attempts >= MAX_ASKS:
                self.context.pending = None
                return self._say("dialogue.not_understood", intent=p.understanding.intent, ok=False)
            return self._say("dialogue.reask", {"question": reply.text}, intent=reply.intent,
                             expects_answer=True, ok=False)
        return reply

    def _fill(self, p: Pending, u: Understanding) -> Understanding | None:
        """The pending understanding with its missing slot filled from ``u``.

        A restatement of the same intent merges its slots; a typed answer ("five minutes")
        fills the slot whatever the NLU called it; so does a slot of the answer, unless ``u`` is
        confidently a different request ("remind me at five to call the dentist" after "which
        alarm?" is a reminder, not the alarm at five); otherwise the words fill it unless ``u``
        is confidently a different request. A day said for "what time?" is kept, and the time
        asked for again."""
        base = p.understanding
        if u.intent == base.intent and u.slots:
            names = {s.name for s in u.slots}
            return replace(base, slots=[s for s in base.slots if s.name not in names] + u.slots)
        now = self.clock()
        for companion in COMPANIONS.get(p.slot, ()):
            if normalize(p.slot, u.text, now) is None and normalize(companion, u.text, now):
                return self._with_slot(base, Slot(companion, u.text))
        other = u.intent not in ANSWER_INTENTS | {base.intent} and u.confidence >= self.confirm_below
        if p.slot not in FREE_TEXT_SLOTS:
            for text in [u.text] + ([] if other else [s.text for s in u.slots]):
                if normalize(p.slot, text, now) is not None:
                    return self._with_slot(base, Slot(p.slot, text))
        if other:
            return None
        return self._with_slot(base, Slot(p.slot, u.text))

    @staticmethod
    def _with_slot(u: Understanding, slot: Slot) -> Understanding:
        return replace(u, slots=[s for s in u.slots if s.name != slot.name] + [slot])

    def _run(self, u: Understanding, confirmed: bool = False) -> Reply:
        """Call the skill for ``u`` and turn its result into a Reply; remember what it asks."""
        ctx = self.context
        skill = self.registry.for_intent(u.intent)
        if skill is None:
            return self._say("dialogue.not_understood", intent=u.intent, ok=False)
        now = self.clock()
        u = resolve(u, now)  # slot values read once, against this turn's clock
        request = SkillRequest(u, now, self.store, ctx.topic, confirmed, self.generate)
        result = run_skill(skill, request, self.skill_timeout)
        if result.missing:
            ctx.pending = Pending("slot", u, result.missing)
        elif result.confirm:
            ctx.pending = Pending("confirm", u)
        else:
            ctx.last_understanding = u
        ctx.last_intent = u.intent
        return self._reply(u, result)

    def _reply(self, u: Understanding, result: SkillResult) -> Reply:
        data = {**result.data, "key": result.key}
        if result.stream is not None:
            text = result.text or ""
        elif result.text is not None:
            text = result.text
        elif result.key in self.renderer.templates:
            text = self.renderer.render(result.key, result.data)
        else:
            log.error("no template for result key %r", result.key)
            return self._say("skill.error", intent=u.intent, ok=False)
        return Reply(text, intent=u.intent, data=data, expects_answer=result.asks, ok=result.ok,
                     stream=result.stream)
