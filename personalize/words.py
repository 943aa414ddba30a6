"""Collecting the household's words from a night's labelled examples (see
``assistant/household/words.py`` for what they are and how the assistant uses them)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from assistant.household.words import Household
from assistant.values.phrases import clean_phrase
from personalize.dataset import Example

GAZETTEER_SLOTS = ("place", "item", "list", "name")
MIN_SENTENCE_COUNT = 2  # a phrasing heard this often goes into the ASR sentences
MAX_SENTENCES = 300
_WORD = re.compile(r"^[a-z][a-z']*$")


def collect(examples: Iterable[Example], base_vocabulary: set[str]) -> Household:
    """Household words from labelled examples; ``base_vocabulary``: words the recognizer's
    command language model already knows (the rest go into its runtime vocabulary)."""
    examples = list(examples)
    gaz: dict[str, Counter[str]] = {n: Counter() for n in GAZETTEER_SLOTS}
    synonyms: dict[str, dict[str, str]] = {}
    for e in examples:
        for name, text in e.slot_texts().items():
            phrase = clean_phrase(text)
            if name in gaz and phrase:
                gaz[name][phrase] += e.count
            meant = clean_phrase(e.values.get(name, ""))
            if name in gaz and phrase and meant and meant != phrase:
                synonyms.setdefault(name, {})[phrase] = meant
    words: Counter[str] = Counter()
    for e in examples:
        for w in e.text.split():
            if w not in base_vocabulary and _WORD.match(w):
                words[w] += e.count
    for counter in gaz.values():
        for phrase in counter:
            words.update(w for w in phrase.split() if w not in base_vocabulary and _WORD.match(w))
    sentences = sorted((e for e in examples if e.count >= MIN_SENTENCE_COUNT),
                       key=lambda e: -e.count)[:MAX_SENTENCES]
    return Household(
        gazetteers={n: sorted(c) for n, c in gaz.items() if c},
        synonyms=synonyms,
        extra_words=sorted(words),
        extra_sentences=[e.text for e in sentences],
    )
