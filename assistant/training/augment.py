"""Phrasings people use, made from the training examples: terse, with a word dropped, with
"uh" and restarts, and with numbers and times written as a recognizer or a keyboard writes them.

Why: the templates and data sets are full, polite sentences ("remind me to call mom at five"),
while people tell a speaker "reminder call mom five", stumble ("set a uh set a timer"), and
Whisper writes "5:30 p.m." and "12-ounce". The model sees a written transcript as
``text.split_words`` leaves it (lower case, edge punctuation gone: "5:30", "p.m", "50%"), so
written forms are made as that function splits them.

Every change keeps the BIO tags aligned with the words: a replaced span takes the tag of the
region it lies in (outside, or one slot), inserted words are outside, and an ``I-`` left without
its ``B-`` becomes one (:func:`repair`). Only training data is augmented, never val or test.
Seeded: the same examples and seed give the same phrasings.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import replace as dc_replace

from assistant.training.datasets import Example
from assistant.understanding.text import split_words
from assistant.values.date import MONTHS
from assistant.values.number import ORDINAL_UNITS, read_cardinal

Tagged = tuple[tuple[str, ...], tuple[str, ...]]
Transform = Callable[[tuple[str, ...], tuple[str, ...], random.Random], Tagged | None]

SHARE = 0.5  # share of training examples that get one augmented copy
# Outside words a terse request leaves out: articles, pronouns, prepositions, politeness.
FUNCTION_WORDS = frozenset({
    "a", "an", "the", "to", "for", "at", "on", "in", "of", "me", "my", "i", "you", "your", "it",
    "is", "are", "be", "please", "can", "could", "would", "will", "hey", "just", "some", "that",
    "this", "do", "does", "kindly", "there", "and", "us", "our", "want", "like", "need", "i'd",
    "you'd", "mind", "thanks", "okay", "ok",
})
# Outside phrases a terse request says as one noun ("remind me to" -> "reminder").
TERSE_PHRASES = {
    ("remind", "me", "to"): ("reminder",), ("remind", "me"): ("reminder",),
    ("set", "a", "timer", "for"): ("timer",), ("set", "an", "alarm", "for"): ("alarm",),
    ("wake", "me", "up", "at"): ("alarm",), ("what's", "the"): (), ("what", "is", "the"): (),
}
FILLERS = ("uh", "um", "er", "uhm")
RESTART_JOINS = ((), ("uh",), ("um",), ("i", "mean"), ("sorry",))
UNIT_WORDS = frozenset({"minute", "minutes", "hour", "hours", "second", "seconds", "ounce",
                        "ounces", "pound", "pounds", "inch", "inches", "degree", "degrees",
                        "mile", "miles", "day", "days", "week", "weeks", "gram", "grams"})
MERIDIEM = {"am": ("a.m.", "am", "AM"), "pm": ("p.m.", "pm", "PM")}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


# --- keeping the tags right -------------------------------------------------------------------

def repair(tags: Sequence[str]) -> tuple[str, ...]:
    """BIO made valid again: an ``I-x`` not following ``B-x``/``I-x`` starts its slot."""
    out: list[str] = []
    for t in tags:
        if t.startswith("I-") and (not out or out[-1][2:] != t[2:] or out[-1] == "O"):
            t = "B-" + t[2:]
        out.append(t)
    return tuple(out)


def one_region(tags: Sequence[str], start: int, end: int) -> bool:
    """Whether ``tags[start:end]`` lie all outside, or all in one slot."""
    span = tags[start:end]
    if not span:
        return False
    if all(t == "O" for t in span):
        return True
    name = span[0][2:]
    return span[0] != "O" and all(t == f"I-{name}" for t in span[1:])


def replace_span(words: Sequence[str], tags: Sequence[str], start: int, end: int,
                 new: Sequence[str]) -> Tagged:
    """``words[start:end]`` (one region) replaced by ``new``; the new words take that region's
    tag (the first keeps a ``B-``), and the words after it stay in their slots."""
    if not one_region(tags, start, end):
        raise ValueError(f"words {start}:{end} span more than one slot: {tags[start:end]}")
    first = tags[start]
    inner = "O" if first == "O" else "I-" + first[2:]
    new_tags = [first] + [inner] * (len(new) - 1) if new else []
    return (tuple(words[:start]) + tuple(new) + tuple(words[end:]),
            repair([*tags[:start], *new_tags, *tags[end:]]))


def insert(words: Sequence[str], tags: Sequence[str], at: int, new: Sequence[str]) -> Tagged:
    """``new`` (outside words) put before ``words[at]``, which must not be inside a slot."""
    if at < len(tags) and tags[at].startswith("I-"):
        raise ValueError(f"cannot insert inside a slot at word {at}")
    return (tuple(words[:at]) + tuple(new) + tuple(words[at:]),
            tuple(tags[:at]) + ("O",) * len(new) + tuple(tags[at:]))


def _boundaries(tags: Sequence[str]) -> list[int]:
    return [i for i in range(len(tags) + 1) if i == len(tags) or not tags[i].startswith("I-")]


# --- the transformations ------------------------------------------------------------------------

def terse(words: tuple[str, ...], tags: tuple[str, ...], rng: random.Random) -> Tagged | None:
    """Function words and politeness left out, a few phrases said as one noun; slots kept."""
    i = 0
    while i < len(words):
        for phrase, short in TERSE_PHRASES.items():
            j = i + len(phrase)
            if words[i:j] == phrase and all(t == "O" for t in tags[i:j]):
                words, tags = replace_span(words, tags, i, j, short)
                i += len(short) - 1
                break
        i += 1
    keep = [i for i, (w, t) in enumerate(zip(words, tags, strict=True))
            if t != "O" or w not in FUNCTION_WORDS or rng.random() < 0.15]
    out = tuple(words[i] for i in keep), repair([tags[i] for i in keep])
    return out if len(out[0]) >= 2 else None


def drop_word(words: tuple[str, ...], tags: tuple[str, ...], rng: random.Random) -> Tagged | None:
    """One short outside word lost, as a recognizer loses one (never the verb that says what
    is asked: "please mute my speaker" without "mute" is no longer a mute request)."""
    outside = [i for i, t in enumerate(tags) if t == "O" and words[i] in FUNCTION_WORDS]
    if len(words) < 3 or not outside:
        return None
    i = rng.choice(outside)
    return replace_span(words, tags, i, i + 1, ())


def disfluent(words: tuple[str, ...], tags: tuple[str, ...], rng: random.Random) -> Tagged | None:
    """An "uh" between words, or a restart: the opening words said twice ("set a uh set a")."""
    first_slot = next((i for i, t in enumerate(tags) if t != "O"), len(tags))
    if first_slot >= 2 and rng.random() < 0.5:
        k = rng.randint(1, min(3, first_slot))
        return insert(words, tags, k, (*rng.choice(RESTART_JOINS), *words[:k]))
    return insert(words, tags, rng.choice(_boundaries(tags)), (rng.choice(FILLERS),))


def _number_at(words: Sequence[str], i: int) -> tuple[int, int] | None:
    """A whole number said in words starting at ``words[i]``: (value, index after it)."""
    if i >= len(words) or words[i].isdigit() or words[i] in ("a", "an"):
        return None
    got = read_cardinal(list(words), i)
    if got is None or not float(got[0]).is_integer():
        return None
    return int(got[0]), got[1]


def _written_at(words: Sequence[str], i: int, rng: random.Random, time: bool = False
                ) -> tuple[int, str] | None:
    """The written form of the number, time, percentage or date starting at ``words[i]``
    (``time``: inside a time slot, where "five thirty" is 5:30): (index after the spoken form,
    written text)."""
    if i > 0 and words[i - 1] in MONTHS and words[i] in ORDINAL_UNITS:  # "march third"
        n = ORDINAL_UNITS[words[i]]
        return i + 1, f"{n}{_SUFFIX.get(n if n < 20 else n % 10, 'th')}"
    got = _number_at(words, i)
    if got is None:
        return None
    n, j = got
    nxt = words[j] if j < len(words) else ""
    if 1 <= n <= 12 and nxt in ("o'clock", "am", "pm") or (1 <= n <= 12 and nxt == "oh"):
        return _clock(words, n, j, rng)
    if 1 <= n <= 12 and (m := _number_at(words, j)) and 10 <= m[0] <= 59 and (
            time or m[1] < len(words) and words[m[1]] in MERIDIEM):
        return _clock(words, n, j, rng)
    if nxt == "percent":
        return j + 1, f"{n}%"
    if nxt in UNIT_WORDS and not nxt.endswith("s") and j + 1 < len(words):  # "a twelve ounce latte"
        return j + 1, f"{n}-{nxt}"
    return j, str(n)


def _clock(words: Sequence[str], hour: int, j: int, rng: random.Random) -> tuple[int, str]:
    """ "five thirty pm" -> "5:30 p.m.", "seven o'clock" -> "7:00", "six oh five" -> "6:05"."""
    minute = 0
    if j < len(words) and words[j] == "o'clock":
        return j + 1, f"{hour}:00" if rng.random() < 0.5 else f"{hour} o'clock"
    if j + 1 < len(words) and words[j] == "oh" and words[j + 1] in ("one", "two", "three", "four", "five",
                                                                   "six", "seven", "eight", "nine"):
        minute, j = read_cardinal(list(words), j + 1)[0], j + 2  # type: ignore[index]
    elif (m := _number_at(words, j)) and 10 <= m[0] <= 59:
        minute, j = m
    text = f"{hour}:{int(minute):02d}" if minute or rng.random() < 0.3 else str(hour)
    if j < len(words) and words[j] in MERIDIEM:
        mark = rng.choice(MERIDIEM[words[j]])
        text += mark if rng.random() < 0.3 else " " + mark
        j += 1
    return j, text


def written(words: tuple[str, ...], tags: tuple[str, ...], rng: random.Random) -> Tagged | None:
    """Numbers, times, percentages and dates as written ("5:30 p.m.", "12-ounce", "50%",
    "march 3rd"), split into words as the runtime splits a written transcript."""
    changed = False
    i = 0
    while i < len(words):
        found = _written_at(words, i, rng, tags[i].endswith("-time"))
        if found is None or not one_region(tags, i, found[0]):
            i += 1
            continue
        new = split_words(found[1]).words
        words, tags = replace_span(words, tags, i, found[0], new)
        i += len(new)
        changed = True
    return (words, tags) if changed else None


TRANSFORMS: dict[str, Transform] = {
    "terse": terse, "drop": drop_word, "disfluent": disfluent, "written": written,
}


def augment(examples: Sequence[Example], share: float = SHARE, seed: int = 0) -> list[Example]:
    """New examples: for a seeded ``share`` of ``examples``, one phrasing made by a random
    transformation (written forms where the example has numbers); none that exists already."""
    rng = random.Random(seed)
    seen = {e.words for e in examples}
    out: list[Example] = []
    for e in examples:
        if rng.random() >= share:
            continue
        tags = e.tags if e.tags is not None else ("O",) * len(e.words)
        made = written(e.words, tags, rng) if rng.random() < 0.5 else None
        if made is None:
            made = TRANSFORMS[rng.choice(("terse", "terse", "drop", "disfluent"))](e.words, tags, rng)
        if made is None or made[0] in seen:
            continue
        seen.add(made[0])
        new_tags = made[1] if e.tags is not None else None
        # the data set's own tags are not carried over: they label the original words
        out.append(dc_replace(e, words=made[0], tags=new_tags, native_tags=None))
    return out
