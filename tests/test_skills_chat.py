"""Small talk, help, honest offline refusals, and general questions via the generative model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from skills_helpers import Conversation


@pytest.mark.parametrize("intent,key", [
    ("greeting", "chat.greeting"), ("thanks", "chat.thanks"), ("identity", "chat.identity"),
    ("joke", "chat.joke"), ("weather_query", "offline.weather"), ("news_query", "offline.news"),
    ("play_music", "offline.music"), ("out_of_scope", "general.out_of_scope"),
    ("general_question", "general.unknown"),
])
def test_canned_answers(intent: str, key: str) -> None:
    r = Conversation().say("...", intent)
    assert r.data["key"] == key and r.text and not r.expects_answer


@pytest.mark.parametrize("text,key,said", [
    ("good night", "chat.good_night", "Good night"), ("goodnight", "chat.good_night", "Good night"),
    ("good morning", "chat.good_day", "Good morning!"), ("morning", "chat.good_day", "Good morning!"),
    ("good evening", "chat.good_day", "Good evening!"), ("hello there", "chat.greeting", ""),
    ("how are you doing", "chat.how_are_you", ""),  # was "Hello!"
    ("see you later", "chat.goodbye", ""),
])
def test_a_greeting_naming_a_part_of_the_day_is_answered_in_kind(text, key, said) -> None:
    r = Conversation().say(text, "greeting")
    assert r.data["key"] == key and r.text.startswith(said)


def test_lights_are_honest_and_name_the_place() -> None:
    r = Conversation().say("turn on the kitchen lights", "lights_on", place="kitchen")
    assert "not connected" in r.text and "turn on the kitchen lights" in r.text and not r.ok
    r = Conversation().say("lights off", "lights_off")
    assert "turn off the lights" in r.text


def test_help_lists_the_skills() -> None:
    r = Conversation().say("what can you do", "help")
    for ability in ("set timers", "keep shopping and to-do lists", "convert units"):
        assert ability in r.text


def test_general_question_streams_from_the_model() -> None:
    prompts = []

    def generate(prompt: str) -> Iterator[str]:
        prompts.append(prompt)
        yield "Paris is the capital of France."
        yield "It is on the Seine."

    r = Conversation(generate=generate).say("what is the capital of france", "general_question")
    assert r.stream is not None and r.text == ""
    assert list(r.stream) == ["Paris is the capital of France.", "It is on the Seine."]
    assert prompts == ["what is the capital of france"]


def test_broken_model_falls_back_to_an_honest_answer() -> None:
    def generate(prompt: str) -> Iterator[str]:
        raise RuntimeError("model file missing")
        yield ""

    r = Conversation(generate=generate).say("why is the sky blue", "general_question")
    assert list(r.stream) == ["Sorry, I don't know that offline."]


def test_model_failing_mid_answer_keeps_what_it_said() -> None:
    def generate(prompt: str) -> Iterator[str]:
        yield "The sky scatters blue light."
        raise RuntimeError("out of memory")

    r = Conversation(generate=generate).say("why is the sky blue", "general_question")
    assert list(r.stream) == ["The sky scatters blue light."]


def test_out_of_scope_questions_go_to_the_model_but_tasks_do_not() -> None:
    def generate(prompt: str) -> Iterator[str]:
        yield "William Shakespeare wrote it."

    c = Conversation(generate=generate)
    r = c.say("who wrote hamlet", "out_of_scope", 0.9)
    assert r.stream is not None and list(r.stream) == ["William Shakespeare wrote it."]
    assert c.key("book me a flight to paris", "out_of_scope", 0.9) == "general.out_of_scope"
    assert Conversation().key("who wrote hamlet", "out_of_scope", 0.9) == "general.out_of_scope"
