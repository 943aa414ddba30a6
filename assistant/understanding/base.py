"""The interface every understander implements: one ``parse`` from text to ``Understanding``."""

from __future__ import annotations

from typing import Protocol

from assistant.events import Understanding


class Understander(Protocol):
    """Finds intent and slots. Must never raise on odd text: return ``out_of_scope`` instead."""

    name: str  # the engine ("nlu", "keywords")
    version: str  # which model it parses with ("hearth-nlu", "personalized v3")

    def parse(self, text: str) -> Understanding: ...
