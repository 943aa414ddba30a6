"""The command language model's training text, sampled from the sentence templates.

The same templates that build the grammar (``asr/grammar.py``) and that the template matcher
reads: each filled up to ``per_template`` ways, numbers in words, wildcard slots from their
example values and the household's words; and every list value once on its own, so each
number, item and place is in the vocabulary even when sampling skipped it. Seeded, so the same
inputs always give the same corpus and the same cached LM.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from hassil.intents import RangeSlotList, TextSlotList

from assistant.sentences.load import SentenceSet, builtin
from assistant.sentences.sample import Sampler, sample
from assistant.values.number import spoken

MAX_RANGE_WORDS = 120  # a range of a thousand numbers is sampled, not listed
HOUSEHOLD_WEIGHT = 10  # times each household sentence counts in the corpus


def list_values(sentences: SentenceSet, extra_words: Iterable[str] = (), seed: int = 0) -> list[str]:
    """Every list's values said once (ranges: their first numbers, then a sample)."""
    sampler = Sampler(sentences, random.Random(seed), extra_words=extra_words)
    it = sentences.intents
    out: list[str] = []
    for name, slot_list in it.slot_lists.items():
        if isinstance(slot_list, TextSlotList):
            for v in slot_list.values:
                out.append(sampler.sentence(name, v.text_in, it.slot_lists, it.expansion_rules).text)
        elif isinstance(slot_list, RangeSlotList):
            numbers = list(range(slot_list.start, slot_list.stop + 1, slot_list.step))
            out += [spoken(n) for n in numbers[:MAX_RANGE_WORDS]]
        out += sampler.examples.get(name, [])
    return out


def corpus(extra_sentences: Iterable[str] = (), extra_words: Iterable[str] = (),
           per_template: int = 80, seed: int = 0, sentences: SentenceSet | None = None) -> list[str]:
    """Normalized training sentences for the domain LM: templates and list values once each,
    the household's own sentences ``HOUSEHOLD_WEIGHT`` times."""
    sentences = sentences or builtin()
    extra_words = list(extra_words)
    sents = [s.text for s in sample(sentences, per_template, seed=seed, extra_words=extra_words)]
    sents += list_values(sentences, extra_words, seed + 1)
    household = [s for s in dict.fromkeys(normalize(s) for s in extra_sentences) if s]
    out = [s for s in dict.fromkeys(normalize(s) for s in sents + household) if s]
    # what the household really said weighs as much as a template's many fillings
    return out + household * (HOUSEHOLD_WEIGHT - 1)


_KEEP = re.compile(r"[^a-z0-9' ]+")


def normalize(text: str) -> str:
    """Lowercase, strip punctuation (keeping apostrophes), single spaces."""
    return " ".join(_KEEP.sub(" ", text.lower().replace("-", " ")).split())
