"""Sentence splitting for streamed speech: whole text and token streams cut the same way."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from assistant.tts.sentences import SentenceStream, split_sentences, stream_sentences


@pytest.mark.parametrize("text, expected", [
    ("Hello there. How are you?", ["Hello there.", "How are you?"]),
    ("It is 3.5 degrees outside. Take a coat!", ["It is 3.5 degrees outside.", "Take a coat!"]),
    ("Dr. Smith lives on Main St. in Springfield. He is nice.",
     ["Dr. Smith lives on Main St. in Springfield.", "He is nice."]),
    ("Call Mr. J. R. Ewing now. Bye.", ["Call Mr. J. R. Ewing now.", "Bye."]),
    ("Track No. 5 is next. The answer is no. Sorry.",
     ["Track No. 5 is next.", "The answer is no.", "Sorry."]),
    ("Use e.g. this one, i.e. the red one. Okay?", ["Use e.g. this one, i.e. the red one.", "Okay?"]),
    ('He said "Stop." Then he left.', ['He said "Stop."', "Then he left."]),
    ("Wait... what? Really!! Yes.", ["Wait... what?", "Really!!", "Yes."]),
    ("It costs $3. 5 people paid.", ["It costs $3.", "5 people paid."]),
    ("Shopping list:\n- milk\n- eggs", ["Shopping list:", "- milk", "- eggs"]),
    ("no terminator at the end", ["no terminator at the end"]),
    ("   ", []),
])
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_long_sentence_is_cut_after_a_comma() -> None:
    text = "First, " * 40 + "done."
    pieces = split_sentences(text, max_chars=50)
    assert all(len(p) <= 50 for p in pieces) and " ".join(pieces) == text.strip()
    assert split_sentences("x" * 300) == ["x" * 300]  # no comma: never cut mid-word


REPLY = ('Sure. It is 21.5 degrees in St. Louis, Dr. Lee said "warm." '
         "Set a timer for 5 min. for the eggs? Okay! The U.S. team won... again.\nDone")


@pytest.mark.parametrize("seed", range(30))
def test_stream_cuts_like_whole_text_for_any_chunking(seed: int) -> None:
    rnd = random.Random(seed)
    pieces, i = [], 0
    while i < len(REPLY):
        n = rnd.randint(1, 8)
        pieces.append(REPLY[i:i + n])
        i += n
    assert list(stream_sentences(pieces)) == split_sentences(REPLY)


def test_sentence_is_handed_out_as_soon_as_the_next_one_starts() -> None:
    consumed: list[str] = []

    def tokens() -> Iterator[str]:
        for tok in ["It", " is", " 3", ".", "5", " degrees", ".", " Take", " a", " coat", "."]:
            consumed.append(tok)
            yield tok

    out = stream_sentences(tokens())
    assert next(out) == "It is 3.5 degrees."
    assert consumed[-1] == " Take"  # decided on seeing the next word, not at the end
    assert list(out) == ["Take a coat."]


def test_feed_and_flush() -> None:
    s = SentenceStream()
    assert s.feed("Hello there") == [] and s.feed(". Ho") == ["Hello there."]
    assert s.feed("w are you") == [] and s.flush() == ["How are you"] and s.flush() == []
