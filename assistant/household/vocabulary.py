"""The one way a recognizer's vocabulary is made: ``assistant run``, ``assistant transcribe`` and
the Wyoming service all hear with the household's live words and sentences, the wake phrases
and the sentence templates (built-in and custom intents)."""

from __future__ import annotations

from assistant.asr.vocabulary import Vocabulary
from assistant.config import Config
from assistant.household import versions
from assistant.household.words import Household, load
from assistant.sentences.load import SentenceSet
from assistant.wake.factory import wake_phrases


def vocabulary(cfg: Config, sentences: SentenceSet, household: Household | None = None,
               ) -> Vocabulary:
    """The recognizer's vocabulary for ``cfg``; ``household`` defaults to the live one."""
    if household is None:
        household = load(versions.household_file())
    return Vocabulary(household.extra_sentences, household.extra_words, wake_phrases(cfg.wake),
                      sentences)
