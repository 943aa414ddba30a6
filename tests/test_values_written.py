"""Written forms (what Whisper writes) -> the spoken words templates, slots and the NLU read."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.events import Understanding
from assistant.sentences.load import builtin
from assistant.understanding.door import TemplateUnderstander
from assistant.understanding.templates import TemplateMatcher
from assistant.values.clock import parse_time
from assistant.values.number import parse_number
from assistant.values.slots import resolve
from assistant.values.written import ordinal, spoken, whole

CASES = [
    ("Remind me to call Mom at 5:30 p.m.", "remind me to call mom at five thirty pm"),
    (" Remind me to call mom at 5.30 pm.", "remind me to call mom at five thirty pm"),
    ("Wake me at 7:00 a.m.", "wake me at seven am"),
    ("Set an alarm for 7:00.", "set an alarm for seven o'clock"),
    ("at 7:05", "at seven oh five"),
    ("Alarm for 545 a.m.", "alarm for five forty five am"),
    ("at 730", "at seven thirty"),
    ("at 7.30", "at seven thirty"),
    ("Set an alarm for 7.15 in the morning.", "set an alarm for seven fifteen in the morning"),
    ("Bake at 200 degrees", "bake at two hundred degrees"),
    ("Set an alarm for 715 in the morning.", "set an alarm for seven fifteen in the morning"),
    ("Set the bedroom to 21 degrees", "set the bedroom to twenty one degrees"),
    ("at 2025 prices", "at twenty twenty five prices"),
    ("a 500 gram bag", "a five hundred gram bag"),
    ("at 5pm", "at five pm"),
    ("at 11 AM", "at eleven am"),
    ("at five p.m.", "at five pm"),
    ("A 12-ounce latte with brown, sugar.", "a twelve ounce latte with brown sugar"),
    ("Set the volume to 50%.", "set the volume to fifty percent"),
    ("That costs $3.", "that costs three dollars"),
    ("It is $1.50", "it is one dollar fifty cents"),
    ("the 1st of May", "the first of may"),
    ("December 25th", "december twenty fifth"),
    ("22nd", "twenty second"),
    ("Set a timer for 12 minutes.", "set a timer for twelve minutes"),
    ("What's 5 + 3?", "what's five plus three"),
    ("What is 6 x 7", "what is six times seven"),
    ("Add 1/2 cup of flour", "add a half cup of flour"),
    ("It is -4 degrees", "it is minus four degrees"),
    ("Set the bedroom to 21°C", "set the bedroom to twenty one degrees celsius"),
    ("1,000,000 people", "one million people"),
    ("3.75 miles", "three point seven five miles"),
    ("Call Mom", "call mom"),
    ("Medium-most, twenty-five", "medium most twenty five"),
    ("I’m in the kids' room", "i'm in the kids room"),
    ('The "hello" thing!', "the hello thing"),
    ("Dr. Smith & Mr. Jones", "doctor smith and mister jones"),
    ("", ""),
    ("...", ""),
    # unit abbreviations
    ("Convert 5 miles to km.", "convert five miles to kilometers"),
    ("How many oz in a lb?", "how many ounces in a pound"),
    ("2.5kg", "two point five kilograms"),
    ("1 tbsp", "one tablespoon"),
    ("3 fl oz", "three fluid ounces"),
    ("Set a timer for 10 mins", "set a timer for ten minutes"),
    ("60 mph", "sixty miles per hour"),
    # ... but not where the letters are also a word or a sound
    ("Mm, I see.", "mm i see"),
    ("give me a sec", "give me a sec"),
    ("a 5G phone", "a five g phone"),
    ("5 in the morning", "five in the morning"),
]


@pytest.mark.parametrize("written,said", CASES)
def test_spoken(written: str, said: str) -> None:
    assert spoken(written) == said


def test_already_spoken_text_is_unchanged() -> None:
    said = "remind me to call mom at five thirty pm"
    assert spoken(said) == said


@pytest.mark.parametrize("n", [0, 7, 13, 20, 42, 100, 999, 1_000, 123_456, 2_500_000])
def test_whole_numbers_read_back(n: int) -> None:
    assert parse_number(whole(n)) == n


@pytest.mark.parametrize("n,word", [(1, "first"), (2, "second"), (12, "twelfth"),
                                    (20, "twentieth"), (21, "twenty first"), (33, "thirty third"),
                                    (100, "one hundredth"), (101, "one hundred first")])
def test_ordinal(n: int, word: str) -> None:
    assert ordinal(n) == word


@pytest.mark.parametrize("written,hour,minute", [("at 5:30 p.m.", 17, 30), ("at 7:05 am", 7, 5),
                                                 ("at 7:00 a.m.", 7, 0), ("at 11 PM", 23, 0)])
def test_times_read_as_clock_times(written: str, hour: int, minute: int) -> None:
    got = parse_time(spoken(written), datetime(2026, 6, 1, 9, 0))
    assert got is not None and (got.hour, got.minute) == (hour, minute)


def test_a_written_reminder_parses_with_its_time() -> None:
    """The issue's example: the time is a slot, not swallowed into the task."""
    u = resolve(TemplateMatcher(builtin()).match(spoken("Remind me to call Mom at 5:30 p.m.")),
                datetime(2026, 6, 1, 9, 0))
    assert u.intent == "reminder_set"
    assert u.slot("task").value == "call mom"
    assert (u.slot("time").value.hour, u.slot("time").value.minute) == (17, 30)


class _Nothing:
    """The model behind the templates, for text no template takes: it says what it was given."""

    name = version = "nothing"

    def parse(self, text: str) -> Understanding:
        return Understanding(text, "out_of_scope", 0.0)


@pytest.mark.parametrize(("typed", "task", "hour", "minute"), [
    ("Remind me to call Mom at 5:30 p.m.", "call mom", 17, 30),  # typed, or another STT's transcript
    ("remind me to call mom at 6 pm", "call mom", 18, 0),
])
def test_every_text_comes_in_as_spoken_words(typed: str, task: str, hour: int, minute: int) -> None:
    u = resolve(TemplateUnderstander(_Nothing(), builtin()).parse(typed), datetime(2026, 6, 1, 9, 0))
    assert u.intent == "reminder_set" and u.slot("task").value == task
    assert (u.slot("time").value.hour, u.slot("time").value.minute) == (hour, minute)


def test_the_model_reads_spoken_words_too() -> None:
    u = TemplateUnderstander(_Nothing(), builtin()).parse("Bake at 350° for 12-15 min, then 50% off")
    assert not any(c.isdigit() for c in u.text), u.text


def test_a_slot_made_of_one_number_is_the_intents_slot_not_the_number() -> None:
    """hassil gives "fifty" as both {count} and the {level} around it: the level is kept."""
    u = resolve(TemplateMatcher(builtin()).match("set the volume to fifty"), datetime(2026, 6, 1, 9, 0))
    assert u.intent == "volume_set" and u.slot("level") is not None and u.slot("level").value == 50


def test_a_conversion_typed_with_an_abbreviation_is_understood() -> None:
    """ "convert 5 miles to km" was an unsure "did you mean: do a sum?"."""
    u = TemplateMatcher(builtin()).match(spoken("convert 5 miles to km"))
    assert u.intent == "unit_convert" and u.slot("to_unit").text == "kilometers"
