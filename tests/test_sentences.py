"""The sentence templates: Hearth's own files, custom-intent files (good and bad), the sampler."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from intents_helpers import GARDEN

from assistant.sentences.load import builtin, check_file, load
from assistant.sentences.sample import sample
from assistant.training.synth import HELD_OUT, generate
from assistant.understanding.intents import INTENTS
from assistant.understanding.templates import TemplateMatcher


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_builtin_intent_has_templates_and_known_slots():
    s = builtin()
    assert not s.problems and not s.custom
    assert set(s.intents.intents) == set(INTENTS)
    for e in generate():
        assert {t[2:] for t in e.tags if t != "O"} <= set(INTENTS[e.intent][0]), e
    slots = {lab for x in sample(s, 3, seed=0, intents=["timer_set"]) for lab in x.labels}
    assert {"duration", "name"} <= slots


def test_sampling_is_seeded_and_distinct():
    a = [x.text for x in sample(builtin(), 4, seed=3)]
    assert a == [x.text for x in sample(builtin(), 4, seed=3)]
    assert a != [x.text for x in sample(builtin(), 4, seed=4)]
    assert all(not any(c.isdigit() for c in t) for t in a)  # digits=0: numbers in words


def test_training_examples_come_from_the_templates_with_bio_tags():
    examples = generate()
    assert len(examples) > 1000
    assert {e.intent for e in examples} == set(INTENTS)
    assert not HELD_OUT & {e.text for e in examples}
    timer = [e for e in examples if e.intent == "timer_set" and "B-duration" in (e.tags or ())]
    assert timer and all(len(e.words) == len(e.tags) for e in examples)
    assert any(any(c.isdigit() for c in e.text) for e in examples)  # typed numbers too
    e = random.Random(0).choice(timer)
    span = [w for w, t in zip(e.words, e.tags, strict=True) if t.endswith("-duration")]
    assert span[-1] in {"second", "seconds", "minute", "minutes", "hour", "hours", "half"}, e


def test_a_custom_intent_file_loads_with_its_response_and_command(tmp_path):
    write(tmp_path, "garden.yaml", GARDEN)
    s = load(tmp_path)
    assert s.problems == []
    garden = s.custom["WaterGarden"]
    assert garden.response.startswith("Watering")
    assert garden.command == ("/bin/echo", "water", "{zone}", "{minutes}")
    assert garden.slots == ("minutes", "zone")
    texts = {x.text for x in sample(s, 20, seed=0, intents=["WaterGarden"])}
    assert any("rose bed" in t for t in texts) and any("sprinklers" in t for t in texts)


BAD = [
    ("broken.yaml", "language: en\nintents:\n  X:\n    data:\n      - sentences: [\"a\"\n", 5, "not valid YAML"),
    ("nolist.yaml", "language: en\nintents:\n  Feed:\n    data:\n      - sentences:\n"
                    "          - \"feed the {pet}\"\n", 6, "unknown list {pet}"),
    ("syntax.yaml", "language: en\nintents:\n  Feed:\n    data:\n      - sentences:\n"
                    "          - \"feed (the cat\"\n", 6, "bad template"),
    ("shell.yaml", "language: en\nintents:\n  Feed:\n    data:\n      - sentences: [\"feed the cat\"]\n"
                   "    command: \"feeder --now\"\n", 6, "argv"),
    ("clash.yaml", "language: en\nintents:\n  timer_set:\n    data:\n      - sentences: [\"egg\"]\n", 3,
     "built in"),
    ("slot.yaml", "language: en\nintents:\n  Feed:\n    data:\n      - sentences: [\"feed the cat\"]\n"
                  "    response: \"Feeding {pet}.\"\n", 6, "{pet}"),
    ("lang.yaml", "language: de\nintents:\n  Feed:\n    data:\n      - sentences: [\"fuettern\"]\n", 1, "'en'"),
]


@pytest.mark.parametrize("name,text,line,problem", BAD)
def test_a_bad_file_is_one_line_naming_file_line_and_problem(tmp_path, name, text, line, problem):
    write(tmp_path, "garden.yaml", GARDEN)
    path = write(tmp_path, name, text)
    s = load(tmp_path)
    assert "WaterGarden" in s.custom  # the good file keeps working
    assert len(s.problems) == 1
    msg = s.problems[0]
    assert "\n" not in msg and msg.startswith(f"{path}:{line}: ") and problem in msg, msg
    with pytest.raises(Exception, match="."):
        check_file(path)


def test_missing_folder_means_builtin_only(tmp_path):
    s = load(tmp_path / "nope")
    assert not s.custom and not s.problems


def test_a_templates_written_forms_are_said_in_words_and_its_syntax_kept() -> None:
    from assistant.sentences.spoken import spoken_template

    assert spoken_template("put on channel 4") == "put on channel four"
    assert spoken_template("water [the] {zone} for 5 minutes") == \
        "water [the] {zone} for five minutes"
    assert spoken_template("convert (a|1) {unit1:from_unit} to <unit2>") == \
        "convert (a|one) {unit1:from_unit} to <unit2>"
    assert spoken_template("[turn] (bbc 2|itv) on") == "[turn] (bbc two|itv) on"
    assert spoken_template("set it to 50% please") == "set it to fifty percent please"
    words = "what's [on] the {list} list"  # nothing written: the same string
    assert spoken_template(words) is words


@pytest.mark.parametrize("text,intent", [
    ("pause it", "timer_pause"), ("resume", "timer_pause"), ("unpause that", "timer_pause"),
    ("snooze", "alarm_cancel"), ("hit snooze", "alarm_cancel"), ("snooze my alarm", "alarm_cancel"),
])
def test_short_timer_and_alarm_commands_are_in_the_templates(text, intent):
    """The NLU read "pause it" as "never mind" (the timer ran on) and "hit snooze" as unsure;
    the templates take them (the alarm skill snoozes on the word)."""
    assert TemplateMatcher(builtin()).match(text).intent == intent


@pytest.mark.parametrize("text,slots", [
    ("cancel my reminder to call mum", {"task": "call mum"}),
    ("delete the reminder for tomorrow", {"date": "tomorrow"}),
    ("remove the reminder at six pm", {"time": "six pm"}),
    ("cancel the seven pm reminder", {"time": "seven pm"}),
    ("delete all my reminders", {}),
    ("don't remind me about the bins", {"task": "the bins"}),
])
def test_a_reminder_can_be_cancelled(text, slots):
    """There was no way to take a reminder back ("cancel my reminder" was out of scope)."""
    u = TemplateMatcher(builtin()).match(text)
    assert u.intent == "reminder_cancel" and {s.name: s.text for s in u.slots} == slots


@pytest.mark.parametrize("text,intent,slots", [
    ("when is mother's day", "time_until", {"date": "mother's day"}),
    ("how many days until good friday", "time_until", {"date": "good friday"}),
    ("where are you from", "identity", {}),
    ("are you a real person", "identity", {}),
    ("where is the remote", "memory_recall", {"query": "the remote"}),
    ("is there milk on my list", "list_read", {"item": "milk"}),
    ("do i have any reminders tomorrow", "reminder_query", {"date": "tomorrow"}),
    ("what do you remember", "memory_recall", {}),  # was "You don't have any reminders."
    ("forget everything", "memory_forget", {}),  # was "never mind"
    ("goodbye", "greeting", {}),  # was out of scope: "That's not something I can do yet."
])
def test_holidays_and_questions_about_hearth_are_in_the_templates(text, intent, slots):
    """ "where are you from" was a memory question ("You haven't told me about that."), and
    "when is mother's day" went to the model unsure."""
    u = TemplateMatcher(builtin()).match(text)
    assert u.intent == intent and {s.name: s.text for s in u.slots} == slots


@pytest.mark.parametrize("text,slots", [
    ("remind me every monday at nine to water the plants",
     {"recurrence": "every monday", "time": "nine", "task": "water the plants"}),
    ("remind me to take my pills every day at eight",
     {"task": "take my pills", "recurrence": "every day", "time": "eight"}),
    ("remind me to put the bins out at seven pm every sunday",
     {"task": "put the bins out", "time": "seven pm", "recurrence": "every sunday"}),
])
def test_a_repeating_reminder_is_in_the_templates(text, slots):
    u = TemplateMatcher(builtin()).match(text)
    assert u.intent == "reminder_set" and {s.name: s.text for s in u.slots} == slots
