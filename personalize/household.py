"""Household words: rooms, people, list items and phrasings this home uses.

The nightly job collects them from the labelled history into ``household.json`` inside the model
folder it writes, so they switch (and roll back) together with the model:

* ``gazetteers``: slot name -> phrases seen in that slot ("den", "gran's tablets");
* ``synonyms``: slot name -> {what they say: what they mean} ("den" -> "living room");
* ``extra_words`` / ``extra_sentences``: for the ASR runtime vocabulary
  (``AsrConfig.extra_words`` and the domain language model).

:class:`HouseholdUnderstander` applies the first two at run time around any understander.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.events import Slot, Understanding
from assistant.understanding.base import Understander
from assistant.understanding.intents import INTENTS
from assistant.understanding.spoken import clean_phrase
from assistant.understanding.text import split_words
from personalize.dataset import Example
from personalize.files import read_json, write_json

GAZETTEER_SLOTS = ("place", "item", "list", "name")
MIN_SENTENCE_COUNT = 2  # a phrasing heard this often goes into the ASR sentences
MAX_SENTENCES = 300
_WORD = re.compile(r"^[a-z][a-z']*$")


@dataclass
class Household:
    gazetteers: dict[str, list[str]] = field(default_factory=dict)
    synonyms: dict[str, dict[str, str]] = field(default_factory=dict)
    extra_words: list[str] = field(default_factory=list)
    extra_sentences: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, **dataclasses.asdict(self)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Household:
        return cls(**{f.name: d.get(f.name) or type(getattr(cls(), f.name))()
                      for f in dataclasses.fields(cls)})

    def save(self, path: Path) -> None:
        write_json(path, self.to_json())

    def resolve(self, slot: str, text: str) -> str:
        """What the household means by ``text`` in ``slot`` (cleaned; itself when no synonym)."""
        phrase = clean_phrase(text)
        return self.synonyms.get(slot, {}).get(phrase, phrase)


def load(path: Path | None) -> Household:
    """The household file (an empty household when there is none yet)."""
    if path is None:
        return Household()
    return Household.from_json(read_json(path, {}) or {})


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


class HouseholdUnderstander:
    """Wraps an understander: maps household words to what they mean, fills missed slots."""

    def __init__(self, inner: Understander, household: Household) -> None:
        self.inner = inner
        self.household = household
        self.name = getattr(inner, "name", "nlu")
        self.version = getattr(inner, "version", self.name)
        # longest phrases first so "gran's tablets" wins over "tablets"
        self._phrases = sorted(
            ((tuple(p.split()), n) for n, ps in household.gazetteers.items() for p in ps),
            key=lambda x: -len(x[0]),
        )

    def parse(self, text: str) -> Understanding:
        u = self.inner.parse(text)
        return apply(u, self.household, self._phrases)


def apply(u: Understanding, household: Household,
          phrases: list[tuple[tuple[str, ...], str]] | None = None) -> Understanding:
    """``u`` with household synonyms resolved and gazetteer slots the model missed added."""
    slots = [_resolve(s, household) for s in u.slots]
    allowed = INTENTS.get(u.intent, ((), ""))[0]
    words = split_words(u.text).words
    taken = {i for s in slots if s.start >= 0 for i in range(s.start, s.end)}
    have = {s.name for s in slots}
    if phrases is None:
        phrases = sorted(((tuple(p.split()), n) for n, ps in household.gazetteers.items() for p in ps),
                         key=lambda x: -len(x[0]))
    for phrase, name in phrases:
        if name in have or name not in allowed:
            continue
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if words[i:i + n] == phrase and not taken & set(range(i, i + n)):
                slot = _resolve(Slot(name, " ".join(phrase), None, 0.5, i, i + n), household)
                slots.append(slot)
                taken |= set(range(i, i + n))
                have.add(name)
                break
    return dataclasses.replace(u, slots=slots)


def _resolve(s: Slot, household: Household) -> Slot:
    meant = household.resolve(s.name, s.text)
    if meant == clean_phrase(s.text):
        return s
    from assistant.understanding.slotvalues import slot_value

    value = slot_value(s.name, meant)
    return dataclasses.replace(s, value=value if value is not None else meant)
