"""The keyword fallback: every Hearth intent has a rule, slots come out as word spans."""

from __future__ import annotations

import pytest

from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.text import split_words

KW = KeywordUnderstander()

# one utterance per intent (out_of_scope and general_question checked separately)
EXAMPLES: dict[str, str] = {
    "datetime_query": "what time is it",
    "time_until": "how many days until christmas",
    "timer_set": "set a timer for ten minutes",
    "timer_query": "how much time is left on the timer",
    "timer_cancel": "cancel the egg timer",
    "timer_pause": "pause the timer",
    "timer_change": "make it twenty minutes instead",
    "alarm_set": "set an alarm for 7 am tomorrow",
    "alarm_query": "what alarms do i have",
    "alarm_cancel": "delete my alarm for 7 am",
    "reminder_cancel": "cancel my reminder to call the dentist",
    "reminder_set": "remind me to call mom at five pm",
    "reminder_query": "what are my reminders",
    "memory_remember": "remember that my car is parked on level 3",
    "memory_recall": "where is my car",
    "memory_forget": "forget where i parked",
    "list_add": "add milk and eggs to my shopping list",
    "list_remove": "remove eggs from the shopping list",
    "list_read": "what's on my to-do list",
    "list_clear": "clear the shopping list",
    "math_calculate": "what is 25 times 4",
    "unit_convert": "convert 5 miles to kilometers",
    "volume_up": "turn it up",
    "volume_down": "turn the volume down",
    "volume_set": "set volume to 5",
    "volume_mute": "mute",
    "lights_on": "turn on the kitchen lights",
    "lights_off": "turn off the lights in the bedroom",
    "stop": "stop",
    "cancel": "never mind",
    "repeat": "say that again",
    "help": "what can you do",
    "affirm": "yes please",
    "negate": "no thanks",
    "greeting": "hello there",
    "thanks": "thank you",
    "identity": "who are you",
    "joke": "tell me a joke",
    "weather_query": "what's the weather in paris tomorrow",
    "news_query": "what's the news",
    "play_music": "play yesterday by the beatles",
    "general_question": "why is the sky blue",
}


def test_every_intent_has_an_example() -> None:
    assert set(EXAMPLES) | {OUT_OF_SCOPE} == set(INTENTS)


@pytest.mark.parametrize("intent,text", sorted(EXAMPLES.items()))
def test_intent(intent: str, text: str) -> None:
    u = KW.parse(text)
    assert u.intent == intent
    assert u.in_scope and u.source == "keywords"
    assert 0.4 <= u.confidence <= 1.0


def _slots(text: str) -> dict[str, str]:
    return {s.name: s.text for s in KW.parse(text).slots}


@pytest.mark.parametrize("text,expected", [
    ("set a timer for ten minutes", {"duration": "ten minutes"}),
    ("Set a 5 minute pasta timer", {"duration": "5 minute", "name": "pasta"}),
    ("set an alarm for 7 am tomorrow", {"time": "7 am", "date": "tomorrow"}),
    ("wake me up at six thirty every weekday", {"time": "six thirty", "recurrence": "every weekday"}),
    ("remind me to call mom at five pm", {"task": "call mom", "time": "five pm"}),
    ("remind me in ten minutes to check the oven", {"duration": "ten minutes", "task": "check the oven"}),
    ("remember that my car is parked on level 3", {"fact": "my car is parked on level 3"}),
    ("add milk and eggs to my shopping list", {"item": "milk and eggs", "list": "shopping"}),
    ("convert 5 miles to kilometers", {"amount": "5", "from_unit": "miles", "to_unit": "kilometers"}),
    ("turn off the lights in the bedroom", {"place": "bedroom"}),
    ("set volume to 5", {"level": "5"}),
    ("what's the weather in paris tomorrow", {"place": "paris", "date": "tomorrow"}),
    ("play yesterday by the beatles", {"song": "yesterday", "artist": "the beatles"}),
])
def test_slots(text: str, expected: dict[str, str]) -> None:
    assert _slots(text) == expected


def test_slot_word_indices_match_text() -> None:
    u = KW.parse("Please, set a timer for TEN minutes!")
    words = split_words(u.text).words
    (slot,) = u.slots
    assert slot.name == "duration" and words[slot.start:slot.end] == ("ten", "minutes")


def test_slots_only_those_the_intent_allows() -> None:
    for text in EXAMPLES.values():
        u = KW.parse(text)
        assert {s.name for s in u.slots} <= set(INTENTS[u.intent][0])


@pytest.mark.parametrize("text", ["purple monkey dishwasher quantum", "", "   ??? ", "\x00\x01", "a" * 5000])
def test_odd_text_is_out_of_scope(text: str) -> None:
    u = KW.parse(text)
    assert u.intent == OUT_OF_SCOPE and not u.in_scope


def test_strength_orders_alternatives() -> None:
    u = KW.parse("stop the timer")
    assert u.intent == "timer_cancel"
    assert any(i == "stop" for i, _ in u.alternatives)
    assert all(c <= u.confidence for _, c in u.alternatives)
