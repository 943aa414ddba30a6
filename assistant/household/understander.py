"""The understander the loop uses: the live personalized model with the household's words.

The nightly job (``personalize/``) writes versions; this is the reading side: which model folder
is live, and :class:`HouseholdUnderstander`, which maps household words to what they mean and
fills slots the model missed from the household's gazetteers.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from assistant.config import UnderstandingConfig
from assistant.events import Slot, Understanding
from assistant.household import versions
from assistant.household.words import Household, load
from assistant.sentences.load import SentenceSet
from assistant.sentences.load import load as load_sentences
from assistant.understanding.base import Understander
from assistant.understanding.door import TemplateUnderstander
from assistant.understanding.factory import make_understander
from assistant.understanding.intents import INTENTS
from assistant.understanding.text import split_words
from assistant.values.phrases import clean_phrase


def live_understander(cfg: UnderstandingConfig, sentences: SentenceSet | None = None,
                      ) -> tuple[Understander, Household]:
    """The configured understander on the live model (personalized or shipped), behind the
    sentence templates (``sentences``, default: built-in plus the household's custom intents
    as they are on disk now), wrapped with the live household words when the nightly job has
    learned some; and those words."""
    model_dir = Path(cfg.model).expanduser() if cfg.model else versions.current_model_dir()
    understander = TemplateUnderstander(make_understander(cfg, model_dir), sentences or load_sentences())
    learned = versions.household_file()  # household.json of the live model
    household = load(learned)
    if learned is not None:
        understander = HouseholdUnderstander(understander, household)
    return understander, household


class HouseholdUnderstander:
    """Wraps an understander: maps household words to what they mean, fills missed slots."""

    def __init__(self, inner: Understander, household: Household) -> None:
        self.inner = inner
        self.household = household
        self.name = inner.name
        self.version = inner.version
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
    """The slot with what the household means by its words as its meaning (read into a value
    by ``values.slots.resolve`` like any other)."""
    meant = household.resolve(s.name, s.text)
    return s if meant == clean_phrase(s.text) else dataclasses.replace(s, value=meant)
