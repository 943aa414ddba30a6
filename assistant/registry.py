"""Engines by name: one registry per room, so adding an engine is one module and one line.

The config declares each choice as a ``Literal`` and rejects any other name when it loads;
a room's registry maps the same names to builders (``tests/test_registries.py`` keeps the two
equal), and a config made in code with a bad name still fails here, in one line. A room whose
engines need model files names a ``fallback`` that needs none (or ships inside its wheel): a
missing or damaged model is then one log line, and Hearth keeps working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

from assistant.errors import ConfigError, ModelError

R = TypeVar("R")


class Registry(Generic[R]):
    """``name -> builder`` of the engines for the option ``key`` ("asr.engine")."""

    def __init__(self, key: str, builders: Mapping[str, Callable[..., R]], *,
                 fallback: str | None = None, instead: str = "",
                 log: logging.Logger | None = None) -> None:
        self.key = key
        self._builders = dict(builders)
        self.fallback = fallback
        self._instead = instead  # what the log line says happens instead
        self._log = log or logging.getLogger(__name__)

    def __getitem__(self, name: str) -> Callable[..., R]:
        try:
            return self._builders[name]
        except KeyError:
            raise ConfigError(f"config: {self.key} must be one of {', '.join(self._builders)}, "
                              f"got {name!r}") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._builders)

    def build(self, name: str, *args: Any) -> R:
        """The engine ``name`` built from ``args``; if its model is missing or damaged, the
        fallback engine, and one log line saying so."""
        builder = self[name]
        if self.fallback is None or name == self.fallback:
            return builder(*args)
        try:
            return builder(*args)
        except ModelError as e:
            self._log.warning("%s; %s", e, self._instead or f"using {self.fallback} instead")
        return self[self.fallback](*args)
