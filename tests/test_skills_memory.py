"""Memory: remember / recall by word overlap / update / forget with confirmation."""

from __future__ import annotations

import pytest
from skills_helpers import Conversation

from assistant.skills.memory import content_words


def remember(c: Conversation, fact: str) -> str:
    return c.say(f"remember that {fact}", "memory_remember", fact=fact).text


@pytest.mark.parametrize("question,answer", [
    ("where is my car", "Your car is on level three"),
    ("where did I park the car", "Your car is on level three"),
    ("where are my keys", "Your keys are in the blue bowl"),
    ("what's the wifi password", "The wifi password is pancake42"),
    ("when is the dentist", "The dentist is on tuesday at ten"),
])
def test_recall_by_word_overlap(question: str, answer: str) -> None:
    c = Conversation()
    for fact in ["my car is on level three", "my keys are in the blue bowl",
                 "the wifi password is pancake42", "the dentist is on tuesday at ten"]:
        remember(c, fact)
    r = c.say(question, "memory_recall", query=question)
    assert r.data["key"] == "memory.recall" and answer.lower() in r.text.lower()


def test_remember_repeats_back_in_second_person() -> None:
    c = Conversation()
    assert "your car is on level three" in remember(c, "my car is on level three")


def test_update_replaces_the_old_fact() -> None:
    c = Conversation()
    remember(c, "my car is on level three")
    r = c.say("remember my car is on level five", "memory_remember", fact="my car is on level five")
    assert r.data["replaced"] == 1
    assert "level five" in c.say("where's my car", "memory_recall", query="where's my car").text


def test_unknown_and_list() -> None:
    c = Conversation()
    assert c.key("what do you remember", "memory_recall") == "memory.empty"
    remember(c, "my bike is in the shed")
    assert c.key("where is the passport", "memory_recall", query="where is the passport") == \
        "memory.unknown"
    r = c.say("what do you remember", "memory_recall")
    assert r.data["key"] == "memory.list" and "your bike is in the shed" in r.text


def test_forget_needs_a_yes() -> None:
    c = Conversation()
    remember(c, "my car is on level three")
    remember(c, "my keys are in the drawer")
    r = c.say("forget where my car is", "memory_forget", query="where my car is")
    assert r.data["key"] == "memory.confirm_forget" and r.expects_answer
    assert "your car is on level three" in r.text
    assert c.key("yes", "affirm") == "memory.forgot"
    assert c.key("where is my car", "memory_recall", query="where is my car") == "memory.unknown"
    # one fact left: it is named ("forget that your keys are in the drawer?"), not "all 1 thing"
    assert c.key("forget everything", "memory_forget") == "memory.confirm_forget"
    assert c.key("no", "negate") == "dialogue.kept"
    assert c.key("where are my keys", "memory_recall", query="where are my keys") == "memory.recall"


def test_remember_without_a_fact_asks() -> None:
    c = Conversation()
    assert c.say("remember something", "memory_remember").data["key"] == "memory.ask_fact"
    r = c.say("the spare key is under the pot", "out_of_scope", 0.2)
    assert r.data["key"] == "memory.remembered"


def test_content_words_stem() -> None:
    assert content_words("Where did I park my cars?") == {"park", "car"}


def test_what_have_i_told_you_lists_and_forgetting_the_only_fact_names_it() -> None:
    c = Conversation()
    c.say("remember my parking spot is level three", "memory_remember", fact="my parking spot is level three")
    r = c.say("what have i told you", "memory_recall")  # was "I don't remember anything about that."
    assert r.data["key"] == "memory.list" and "level three" in r.text
    r = c.say("forget everything", "memory_forget")  # was "Forget all 1 thing you told me?"
    assert r.text == "Forget that your parking spot is level three?"
    assert c.key("yes", "affirm") == "memory.forgot"
