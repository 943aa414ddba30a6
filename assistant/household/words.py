"""Household words: rooms, people, list items and phrasings this home uses.

The nightly job collects them from the labelled history into ``household.json`` inside the model
folder it writes, so they switch (and roll back) together with the model:

* ``gazetteers``: slot name -> phrases seen in that slot ("den", "gran's tablets");
* ``synonyms``: slot name -> {what they say: what they mean} ("den" -> "living room");
* ``extra_words`` / ``extra_sentences``: for the ASR runtime vocabulary
  (``AsrConfig.extra_words`` and the domain language model).

:class:`assistant.household.understander.HouseholdUnderstander` applies the first two at run
time around any understander; ``personalize/words.py`` collects them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.files import read_json, write_json
from assistant.values.phrases import clean_phrase


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
