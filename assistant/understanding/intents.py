"""Hearth's own intent set: exactly what the skills can do. The NLU model, the keyword fallback
and the skills all agree on these names; data-set intents are mapped onto them in training.
"""

from __future__ import annotations

# intent name -> (slot names it may carry, one-line description)
INTENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "datetime_query": (("date", "place"), "what time / date / day is it"),
    "time_until": (("date", "time"), "how long until a date"),
    "timer_set": (("duration", "name"), "start a timer"),
    "timer_query": (("name",), "how long is left on a timer"),
    "timer_cancel": (("name",), "cancel one or all timers"),
    "timer_pause": (("name",), "pause or resume a timer"),
    "timer_change": (("duration", "name"), "make the timer ten minutes instead"),
    "alarm_set": (("time", "date", "recurrence"), "set an alarm"),
    "alarm_query": ((), "which alarms are set"),
    "alarm_cancel": (("time",), "remove an alarm"),
    "reminder_set": (("task", "time", "date", "duration", "recurrence"), "remind me to ... at ..."),
    "reminder_query": (("date",), "what are my reminders"),
    "reminder_cancel": (("task", "time", "date"), "cancel a reminder"),
    "memory_remember": (("fact",), "remember that ..."),
    "memory_recall": (("query",), "where is my car / what did I say about ..."),
    "memory_forget": (("query",), "forget ..."),
    "list_add": (("item", "list"), "add to the shopping / to-do list"),
    "list_remove": (("item", "list"), "take off a list"),
    "list_read": (("list", "item"), "what is on my list"),
    "list_clear": (("list",), "clear a list"),
    "math_calculate": (("expression",), "arithmetic"),
    "unit_convert": (("amount", "from_unit", "to_unit"), "unit conversion"),
    "volume_up": ((), "louder"),
    "volume_down": ((), "quieter"),
    "volume_set": (("level",), "set volume to a level"),
    "volume_mute": ((), "mute"),
    "lights_on": (("place",), "turn lights on"),
    "lights_off": (("place",), "turn lights off"),
    "stop": ((), "stop talking / stop the chime"),
    "cancel": ((), "never mind"),
    "repeat": ((), "what did you say"),
    "help": ((), "what can you do"),
    "affirm": ((), "yes"),
    "negate": ((), "no"),
    "greeting": ((), "hello"),
    "thanks": ((), "thank you"),
    "identity": ((), "who are you"),
    "joke": ((), "tell me a joke"),
    "weather_query": (("place", "date"), "weather (not available offline)"),
    "news_query": ((), "news (not available offline)"),
    "play_music": (("song", "artist"), "music (not available offline)"),
    "general_question": ((), "open question for the generative model"),
    "out_of_scope": ((), "not something Hearth handles"),
}

SLOT_NAMES: tuple[str, ...] = tuple(sorted({s for slots, _ in INTENTS.values() for s in slots}))

OUT_OF_SCOPE = "out_of_scope"

# Training keeps data-set intents Hearth has no skill for as auxiliary classes ("aux:...") so
# the model learns what they are; at run time every one of them means out_of_scope.
AUX = "aux:"


def fold_aux(intent: str) -> str:
    """The Hearth intent a predicted class stands for (auxiliary classes -> out_of_scope)."""
    return OUT_OF_SCOPE if intent.startswith(AUX) else intent

# Slots an intent needs before the skill can act; the loop ends an utterance early only when the
# partial transcript already carries them (otherwise the person is probably still talking).
REQUIRED_SLOTS: dict[str, tuple[str, ...]] = {
    "timer_set": ("duration",),
    "timer_change": ("duration",),
    "alarm_set": ("time",),
    "reminder_set": ("task",),
    "memory_remember": ("fact",),
    "list_add": ("item",),
    "list_remove": ("item",),
    "math_calculate": ("expression",),
    "unit_convert": ("from_unit",),
    "volume_set": ("level",),
}
