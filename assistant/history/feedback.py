"""Implicit and explicit feedback, read off what the user says right after a turn.

Nobody rates a voice assistant; they say "no", repeat themselves, rephrase, say "stop" or talk
over it. These rules turn the next turn into a label on the previous one, which is what the
nightly personalization learns from. Pure functions over small records, so they are unit-tested
without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from assistant.dialogue.clarify import says_yes

# The user reacts within this many seconds (end of one turn to end of the next).
FOLLOW_WINDOW_S = 20.0
REPEAT_SIMILARITY = 0.9  # text this similar to the previous turn is a repeat
REPHRASE_SIMILARITY = 0.3  # after a failed turn (without a "no"), a retry must be this similar
CONFIDENT = 0.5  # below this intent confidence a turn counts as not understood

# Intents whose turns are reactions to the previous turn rather than requests of their own.
REACTION_INTENTS = frozenset({"negate", "stop", "cancel", "affirm", "thanks", "repeat"})
NOT_A_REQUEST = REACTION_INTENTS | {"out_of_scope"}

# Feedback kinds stored on the earlier turn.
REPEATED = "repeated"
REPHRASED = "rephrased"
NEGATED = "negated"
CORRECTED = "corrected"
STOPPED = "stopped"
CANCELLED = "cancelled"
BARGED_IN = "barged_in"
THANKED = "thanked"
ANSWERED = "answered"  # the user gave the slot the assistant asked for ("what should I add?")
CONFIRMED = "confirmed"  # the user said yes to "did you mean ...?": the understanding was right
NEGATIVE_KINDS = frozenset({REPEATED, REPHRASED, NEGATED, CORRECTED, STOPPED, CANCELLED, BARGED_IN})
YES_OR_NO = "yes_or_no"  # what a turn ``asked`` when its reply was "did you mean ...?"

_NEGATION = re.compile(
    r"^(no+|nope|wrong|that'?s (wrong|not right|not it|not what i (said|asked|meant|wanted))"
    r"|not (that|what i (said|asked|meant|wanted))|you got it wrong|incorrect)\b[\s,.!]*",
)
# "I meant ..." corrects on its own; "I want ..." only after a "no" (else it is a request).
_CORRECTION = re.compile(r"^(?:i meant|i said|i asked for|i'?m talking about)\s+(?P<rest>.+)$")
_CORRECTION_AFTER_NO = re.compile(
    r"^(?:i meant|i said|i asked for|i asked|i wanted|i want|i'?m talking about|make it|make that)"
    r"\s+(?P<rest>.+)$"
)
_END = r"(?:\s+(?:please|now|thanks|then))*$"
_STOP = re.compile(r"^(?:stop|stop it|stop talking|shut up|be quiet|quiet|enough)" + _END)
_CANCEL = re.compile(r"^(?:never ?mind|cancel|cancel that|forget it|forget that|nothing)" + _END)
_THANKS = re.compile(r"^(?:thanks|thank you|cheers|great|perfect|lovely)(?:\s+\w+)?$")


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation dropped, spaces collapsed."""
    text = text.lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text).split())


def similarity(a: str, b: str) -> float:
    """0..1 word overlap: the better of in-order matching and word-set overlap (reorderings)."""
    wa, wb = normalize(a).split(), normalize(b).split()
    if not wa or not wb:
        return 0.0
    ordered = SequenceMatcher(None, wa, wb, autojunk=False).ratio()
    return max(ordered, len(set(wa) & set(wb)) / len(set(wa) | set(wb)))


@dataclass
class TurnView:
    """The parts of a stored turn that feedback rules look at."""

    id: int
    ts: float  # wall clock when the turn was recorded (its end)
    text: str
    intent: str
    confidence: float
    ok: bool
    speech_start: float | None = None  # monotonic, this process
    done: float | None = None  # monotonic, this process
    barged_in: bool = False  # the loop saw the user talk over the reply
    asked: str = ""  # the slot the reply asked for, YES_OR_NO, or "" when it asked nothing

    @property
    def failed(self) -> bool:
        """The assistant did not manage this turn (skill failed, out of scope or unsure)."""
        return (not self.ok) or self.intent == "out_of_scope" or self.confidence < CONFIDENT

    @property
    def is_reaction(self) -> bool:
        """A "no", "stop", "thanks" ... that comments on the previous turn."""
        return self.intent in REACTION_INTENTS or reaction_kind(self.text) is not None


@dataclass
class Feedback:
    """One label on an earlier turn, caused by a later one."""

    turn_id: int
    kind: str
    source_id: int
    detail: dict[str, Any] = field(default_factory=dict)


def reaction_kind(text: str) -> str | None:
    """What a short reply says about the previous turn, from its words alone."""
    t = normalize(text)
    rest = _strip_negations(t)
    if rest != t:
        if _CORRECTION_AFTER_NO.match(rest):
            return CORRECTED
        return CORRECTED if rest and reaction_kind(rest) is None else NEGATED
    if _CORRECTION.match(t):
        return CORRECTED
    if _STOP.match(t):
        return STOPPED
    if _CANCEL.match(t):
        return CANCELLED
    if _THANKS.match(t):
        return THANKED
    return None


def correction_text(text: str) -> str:
    """The part of "no, I meant the kitchen" that says what was meant ("the kitchen")."""
    t = normalize(text)
    rest = _strip_negations(t)
    m = (_CORRECTION_AFTER_NO if rest != t else _CORRECTION).match(rest)
    return m.group("rest").strip() if m else rest


def _strip_negations(t: str) -> str:
    """ "no no that's wrong, the kitchen" -> "the kitchen"."""
    m = _NEGATION.match(t)
    while m and m.end() > 0:
        t = t[m.end():].strip()
        m = _NEGATION.match(t)
    return t


def derive(new: TurnView, new_slots: list[dict[str, Any]], recent: list[TurnView]) -> list[Feedback]:
    """Feedback that ``new`` gives on earlier turns. ``recent``: earlier turns, newest first.

    The target is the newest earlier request (reactions such as "no" are skipped) inside the
    follow-up window; a request right after a "no" or a failed turn is a rephrase of it.
    """
    out: list[Feedback] = []
    window = [t for t in recent if new.ts - t.ts <= FOLLOW_WINDOW_S]
    if not window:
        return out
    prev = window[0]
    if prev.asked == YES_OR_NO and says_yes(new.intent, new.text):  # over the question or after
        return [Feedback(prev.id, CONFIRMED, new.id)]  # a "no" is NEGATED below, as any "no"
    if (prev.barged_in or _overlaps(prev, new)) and not prev.is_reaction:
        out.append(Feedback(prev.id, BARGED_IN, new.id))
    kind = reaction_kind(new.text)
    if prev.asked not in ("", YES_OR_NO) and kind is None and \
            new.intent not in ("negate", "stop", "cancel"):
        out.append(Feedback(prev.id, ANSWERED, new.id, {"slot": prev.asked, "text": new.text}))
        return out
    target = next((t for t in window if not t.is_reaction), None)
    if target is None:
        return out
    if kind is None and new.intent in ("negate", "stop", "cancel", "thanks"):
        kind = {"negate": NEGATED, "stop": STOPPED, "cancel": CANCELLED, "thanks": THANKED}[new.intent]
    if kind == CORRECTED:
        detail: dict[str, Any] = {"text": correction_text(new.text)}
        if new.intent not in NOT_A_REQUEST:
            detail.update(intent=new.intent, slots=new_slots)
        out.append(Feedback(target.id, CORRECTED, new.id, detail))
        return out
    if kind is not None:
        if prev.id == target.id or kind != THANKED:
            out.append(Feedback(target.id, kind, new.id))
        return out
    if new.intent in NOT_A_REQUEST:
        return out
    sim = similarity(new.text, target.text)
    prev_kind = reaction_kind(prev.text) or {"negate": NEGATED, "stop": STOPPED}.get(prev.intent)
    negated_since = prev.id != target.id and prev_kind == NEGATED
    retry = {"intent": new.intent, "slots": new_slots}
    # a failed turn, or one cut short with "stop", is retried with similar words
    doubtful = (target.failed and prev.id == target.id) or (
        prev.id != target.id and prev_kind == STOPPED)
    if sim >= REPEAT_SIMILARITY and (negated_since or doubtful):
        out.append(Feedback(target.id, REPEATED, new.id, retry))
    elif negated_since or (doubtful and sim >= REPHRASE_SIMILARITY):
        out.append(Feedback(target.id, REPHRASED, new.id, retry))
    return out


def _overlaps(prev: TurnView, new: TurnView) -> bool:
    """The new utterance began while the previous reply was still playing."""
    if prev.done is None or new.speech_start is None or prev.speech_start is None:
        return False
    return prev.speech_start < new.speech_start < prev.done
