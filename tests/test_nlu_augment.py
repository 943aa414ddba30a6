"""Augmented training phrasings: every transformation keeps the BIO tags on the right words."""

from __future__ import annotations

import random

import pytest

from assistant.training import augment
from assistant.training.datasets import Example
from assistant.training.synth import generate

REMIND = (("remind", "me", "to", "call", "mom", "at", "five"),
          ("O", "O", "O", "B-task", "I-task", "O", "B-time"))
ALARM = (("set", "an", "alarm", "for", "five", "thirty", "pm", "tomorrow"),
         ("O", "O", "O", "O", "B-time", "I-time", "I-time", "B-date"))


def spans(words: tuple[str, ...], tags: tuple[str, ...]) -> list[tuple[str, str]]:
    """(slot, words) of each slot, in order."""
    out: list[tuple[str, list[str]]] = []
    for w, t in zip(words, tags, strict=True):
        if t.startswith("B-"):
            out.append((t[2:], [w]))
        elif t.startswith("I-"):
            assert out and out[-1][0] == t[2:], f"{t} without its B- in {tags}"
            out[-1][1].append(w)
    return [(name, " ".join(ws)) for name, ws in out]


def valid(words: tuple[str, ...], tags: tuple[str, ...]) -> bool:
    return len(words) == len(tags) and augment.repair(tags) == tuple(tags)


def test_repair_starts_a_slot_that_lost_its_first_word() -> None:
    assert augment.repair(["O", "I-time", "I-time", "B-date", "I-task"]) == (
        "O", "B-time", "I-time", "B-date", "B-task")


def test_a_replaced_span_takes_the_tag_of_its_region() -> None:
    words, tags = augment.replace_span(*ALARM, 4, 7, ("5:30", "p.m"))
    assert words == ("set", "an", "alarm", "for", "5:30", "p.m", "tomorrow")
    assert tags == ("O", "O", "O", "O", "B-time", "I-time", "B-date")
    words, tags = augment.replace_span(*REMIND, 0, 3, ("reminder",))
    assert spans(words, tags) == [("task", "call mom"), ("time", "five")] and valid(words, tags)


def test_removing_the_first_word_of_a_slot_keeps_the_rest_in_it() -> None:
    words, tags = augment.replace_span(*ALARM, 4, 5, ())
    assert spans(words, tags) == [("time", "thirty pm"), ("date", "tomorrow")]


def test_a_span_across_two_regions_is_refused() -> None:
    with pytest.raises(ValueError):
        augment.replace_span(*ALARM, 3, 5, ("x",))
    with pytest.raises(ValueError):
        augment.replace_span(*ALARM, 6, 8, ("x",))


def test_nothing_is_inserted_inside_a_slot() -> None:
    with pytest.raises(ValueError):
        augment.insert(*ALARM, 5, ("uh",))
    words, tags = augment.insert(*ALARM, 4, ("uh",))
    assert words[4] == "uh" and spans(words, tags) == spans(*ALARM)


def test_terse_keeps_every_slot_and_drops_the_function_words() -> None:
    found = set()
    for seed in range(20):
        words, tags = augment.terse(*REMIND, random.Random(seed))  # type: ignore[misc]
        assert valid(words, tags) and spans(words, tags) == spans(*REMIND)
        found.add(" ".join(words))
    assert "reminder call mom five" in found


def test_written_forms_are_split_as_the_runtime_splits_a_transcript() -> None:
    forms = set()
    for seed in range(20):
        words, tags = augment.written(*ALARM, random.Random(seed))  # type: ignore[misc]
        assert valid(words, tags)
        (slot, time), date = spans(words, tags)
        assert slot == "time" and date == ("date", "tomorrow")
        forms.add(time)
    assert {"5:30 p.m", "5:30 pm"} <= forms and not any(f.endswith(".") for f in forms)
    words, _ = augment.written(("a", "twelve", "ounce", "latte", "at", "fifty", "percent"),
                               ("O",) * 7, random.Random(0))  # type: ignore[misc]
    assert words == ("a", "12-ounce", "latte", "at", "50%")
    words, tags = augment.written(("on", "march", "third"), ("O", "B-date", "I-date"),
                                  random.Random(0))  # type: ignore[misc]
    assert words == ("on", "march", "3rd") and tags == ("O", "B-date", "I-date")
    assert augment.written(("what", "time", "is", "it"), ("O",) * 4, random.Random(0)) is None


@pytest.mark.parametrize("name", sorted(augment.TRANSFORMS))
def test_every_transformation_keeps_the_tags_aligned_on_the_templates(name: str) -> None:
    rng = random.Random(3)
    made = 0
    for e in generate(per_template=2):
        assert e.tags is not None
        out = augment.TRANSFORMS[name](e.words, e.tags, rng)
        if out is None:
            continue
        made += 1
        assert valid(*out), (e.words, out)
        if name == "written":  # slot words change form, never their number or order
            assert [s for s, _ in spans(*out)] == [s for s, _ in spans(e.words, e.tags)]
        else:
            assert spans(*out) == spans(e.words, e.tags), (e.words, out)
    assert made > 50


def test_augment_is_seeded_new_and_leaves_the_examples_alone() -> None:
    examples = generate(per_template=2)
    before = list(examples)
    a, b = augment.augment(examples, seed=1), augment.augment(examples, seed=1)
    assert a == b and examples == before
    assert a != augment.augment(examples, seed=2)
    assert 0.3 * len(examples) < len(a) <= 0.5 * len(examples) + 20
    texts = {e.words for e in examples}
    assert all(e.words not in texts and e.native_tags is None for e in a)
    assert len({e.words for e in a}) == len(a)
    untagged = [Example(("please", "tell", "me", "a", "joke"), "joke", None, "hwu64", "joke")]
    made = augment.augment(untagged * 1, share=1.0, seed=0)
    assert all(e.tags is None and e.intent == "joke" for e in made)
