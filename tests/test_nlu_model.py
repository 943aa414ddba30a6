"""The shipped NLU model (fine-tuned MiniLM, one int8 ONNX graph) on utterances it never saw."""

from __future__ import annotations

import pytest

from assistant.events import Understanding
from assistant.paths import REPO_MODELS
from assistant.training.synth import HELD_OUT, generate
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.understanding.nlu import NluUnderstander
from assistant.understanding.text import split_words


@pytest.fixture(scope="module")
def nlu() -> NluUnderstander:
    return NluUnderstander(REPO_MODELS / "hearth-nlu", threads=1)


def _slots(u: Understanding) -> dict[str, str]:
    return {s.name: s.text for s in u.slots}


CASES = [
    ("set a timer for ten minutes", "timer_set", {"duration": "ten minutes"}),
    ("pause the timer", "timer_pause", {}),
    ("cancel the egg timer", "timer_cancel", {"name": "egg"}),
    ("how much time is left on the timer", "timer_query", {}),
    ("make it twenty minutes instead", "timer_change", {"duration": "twenty minutes"}),
    ("add milk and eggs to my shopping list", "list_add", {"item": "milk and eggs", "list": "shopping"}),
    ("clear the shopping list", "list_clear", {"list": "shopping"}),
    ("remember that my car is parked on level 3", "memory_remember",
     {"fact": "my car is parked on level 3"}),
    ("where is my car", "memory_recall", {"query": "my car"}),
]


def test_cases_are_held_out() -> None:
    """None of the test utterances is in the templated training data."""
    generated = {e.text for e in generate()}
    for text, _, _ in CASES:
        assert text in HELD_OUT and text not in generated


@pytest.mark.parametrize("text,intent,slots", CASES)
def test_held_out_utterances(nlu: NluUnderstander, text: str, intent: str, slots: dict[str, str]) -> None:
    u = nlu.parse(text)
    assert (u.intent, u.in_scope, u.source) == (intent, True, "nlu")
    assert _slots(u) == slots


@pytest.mark.parametrize("text,intent", [
    ("wake me up at six thirty tomorrow", "alarm_set"),
    ("what's the weather like in paris", "weather_query"),
    ("turn the volume down a bit", "volume_down"),
    ("switch off the lights in the kitchen", "lights_off"),
    ("what is twelve times seven", "math_calculate"),
    ("thanks a bunch", "thanks"),
    ("tell me something funny", "joke"),
    ("what time is it", "datetime_query"),
])
def test_data_set_style_utterances(nlu: NluUnderstander, text: str, intent: str) -> None:
    assert nlu.parse(text).intent == intent


def test_slot_spans_are_word_indices(nlu: NluUnderstander) -> None:
    text = "Set a timer for ten minutes, please"
    u = nlu.parse(text)
    (slot,) = u.slots
    words = split_words(text).words
    assert (slot.start, slot.end) == (4, 6)
    assert " ".join(words[slot.start:slot.end]) == slot.text == "ten minutes"
    assert 0.5 < slot.confidence <= 1.0


def test_pattern_slots_complete_with_rules(nlu: NluUnderstander) -> None:
    u = nlu.parse("convert 5 miles to kilometers")
    assert u.intent == "unit_convert"
    assert _slots(u) == {"amount": "5", "from_unit": "miles", "to_unit": "kilometers"}
    assert [s.start for s in u.slots] == sorted(s.start for s in u.slots)


def test_only_slots_the_intent_takes(nlu: NluUnderstander) -> None:
    for text in ["remind me to call mom at five pm", "turn on the lights in the bedroom",
                 "what's the weather in paris tomorrow", "stop"]:
        u = nlu.parse(text)
        assert {s.name for s in u.slots} <= set(INTENTS[u.intent][0])


@pytest.mark.parametrize("text", ["purple monkey dishwasher quantum", "how do i file my taxes",
                                  "what's my credit score", ""])
def test_out_of_scope_rejected(nlu: NluUnderstander, text: str) -> None:
    u = nlu.parse(text)
    assert u.intent == OUT_OF_SCOPE and not u.in_scope and not u.slots


def test_confidence_and_alternatives(nlu: NluUnderstander) -> None:
    u = nlu.parse("set an alarm for seven")
    assert u.intent == "alarm_set" and u.confidence > 0.5
    assert len(u.alternatives) == 3
    names = [a for a, _ in u.alternatives]
    assert u.intent not in names and len(set(names)) == 3
    probs = [p for _, p in u.alternatives]
    assert probs == sorted(probs, reverse=True) and all(0 <= p <= u.confidence for p in probs)


def test_odd_text_never_raises(nlu: NluUnderstander) -> None:
    for text in ["\x00\x01", "a" * 3000, "timer " * 200, "🙂🙂", "   "]:
        u = nlu.parse(text)
        assert isinstance(u, Understanding) and u.intent in INTENTS


def test_version_names_the_model(nlu: NluUnderstander, tmp_path) -> None:
    """What `assistant status` shows: the shipped model or a personalized version."""
    import shutil

    assert nlu.version == "hearth-nlu"
    personalized = tmp_path / "3"  # household/versions.py keeps numbered folders
    shutil.copytree(REPO_MODELS / "hearth-nlu", personalized)
    assert NluUnderstander(personalized).version == "personalized v3"
