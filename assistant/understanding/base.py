"""The interface every understander implements: one ``parse`` from text to ``Understanding``."""

from __future__ import annotations

from typing import Protocol

from assistant.events import Understanding


class Understander(Protocol):
    """Finds intent and slots. Must never raise on odd text: return ``out_of_scope`` instead."""

    name: str

    def parse(self, text: str) -> Understanding: ...
