"""Context carry-over: short follow-ups that only make sense after the previous turn.

"add milk to the shopping list" ... "and eggs" -> list_add(item=eggs, list=shopping);
"set a timer for five minutes" ... "make it ten" -> timer_change(duration=ten); "what else is on
it" after a list -> list_read of that list. One table row per pattern; the previous turn's other
slots are carried over (a whole-utterance cue carries none: the skill's topic knows its list)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.dialogue.context import DialogueContext
from assistant.events import FOLLOW_UP, Slot, Understanding


@dataclass(frozen=True)
class FollowUp:
    prefixes: tuple[str, ...]  # how the follow-up starts
    after: frozenset[str]  # the previous intents it can follow
    intent: str | None  # the resulting intent; None = the previous one
    slot: str  # the slot the rest of the utterance fills; "" = the cue is the whole utterance
    # confident intents the cue still beats: "make it fifteen" right after a timer is the
    # timer, though on its own it reads like a sum
    beats: frozenset[str] = frozenset()


# "set a timer for ten minutes" ... "cancel it": the thing just set, though the NLU reads "cancel
# it" as "stop" or "never mind" (not "stop it" or "turn it off": said to a ringing timer, they
# must stop the chime)
_CANCEL_IT = ("cancel it", "cancel that", "delete it", "delete that", "remove it", "remove that",
              "scrap that", "get rid of it", "cancel that one", "actually cancel it",
              "actually cancel that")
_STOP_OR_CANCEL = frozenset({"stop", "cancel"})

FOLLOW_UPS = [
    FollowUp(("and", "also", "oh and", "and also", "plus", "and some", "and add"),
             frozenset({"list_add", "list_remove"}), None, "item"),
    FollowUp(("make it", "make that", "change it to", "actually make it", "no make it",
              "actually", "make it for", "no", "no i said", "i said"),
             frozenset({"timer_set", "timer_change"}), "timer_change", "duration",
             frozenset({"math_calculate", "unit_convert", "volume_set"})),
    # the alarm just set, moved: "wake me up at seven tomorrow" ... "actually make it six thirty",
    # "no, six pm" (a "no" that the NLU is sure of, "no thanks", stays a no)
    FollowUp(("make it", "make that", "change it to", "actually make it", "no make it",
              "make it for", "actually at", "no", "no at", "no i said", "i said"),
             frozenset({"alarm_set"}), "alarm_set", "time",
             frozenset({"math_calculate", "timer_change", "volume_set"})),
    FollowUp(("and", "what about", "how about", "and on"),
             frozenset({"timer_query"}), None, "name"),
    # "set a pizza timer for twenty minutes" ... "how long on the pizza"
    FollowUp(("how long on", "how long on the", "how long is left on", "how long is left on the",
              "how much longer on", "how much longer on the", "how much time on the"),
             frozenset({"timer_set", "timer_query", "timer_change", "timer_pause"}),
             "timer_query", "name"),
    FollowUp(("and", "what about", "how about", "and on"),
             frozenset({"datetime_query"}), None, "date"),
    FollowUp(("and", "what about", "how about", "and until"),
             frozenset({"time_until"}), None, "date"),
    # whole utterances (no slot): "add milk to my shopping list" ... "what else is on it"
    FollowUp(("what's on it", "what is on it", "what else is on it", "what's on there",
              "what else is on there", "what's left on it", "read it", "read it out",
              "read it to me", "read it back", "read it again", "read me the list"),
             frozenset({"list_add", "list_remove", "list_read"}), "list_read", ""),
    # "turn it down" ... "a bit more": the same again (the NLU reads it as "repeat")
    FollowUp(("more", "a bit more", "a little more", "even more", "bit more", "a bit more please",
              "a little more please", "more please"),
             frozenset({"volume_up", "volume_down"}), None, "", frozenset({"repeat"})),
    FollowUp(_CANCEL_IT, frozenset({"timer_set", "timer_change", "timer_query", "timer_pause"}),
             "timer_cancel", "", _STOP_OR_CANCEL),
    FollowUp(_CANCEL_IT, frozenset({"alarm_set"}), "alarm_cancel", "", _STOP_OR_CANCEL),
    FollowUp(_CANCEL_IT, frozenset({"reminder_set"}), "reminder_cancel", "", _STOP_OR_CANCEL),
]
# intents an utterance may be labelled with and still be read as a follow-up
LOOSE_INTENTS = frozenset({"out_of_scope", "general_question"})


def carry_over(u: Understanding, context: DialogueContext, threshold: float) -> Understanding:
    """``u`` rewritten as a follow-up of the last turn when it reads like one, else ``u``.
    A confident, different intent is never overridden."""
    last = context.last_understanding
    if last is None:
        return u
    text = " ".join(u.text.lower().replace(",", " ").split())
    for rule in FOLLOW_UPS:
        if last.intent not in rule.after:
            continue
        target = rule.intent or last.intent
        if u.intent not in {target, last.intent} | LOOSE_INTENTS | rule.beats \
                and u.confidence >= threshold:
            continue
        for prefix in sorted(rule.prefixes, key=len, reverse=True):
            if rule.slot and text.startswith(prefix + " "):
                rest = text[len(prefix):].strip()
                slots = [s for s in last.slots if s.name != rule.slot] + [Slot(rule.slot, rest)]
            elif not rule.slot and text == prefix:  # the skill's topic says which list
                slots = []
            else:
                continue
            return Understanding(u.text, target, max(u.confidence, threshold), slots,
                                 source=FOLLOW_UP)
    return u
