"""Engines by name: one registry per room, so adding an engine is one module and one line.

The config declares each choice as a ``Literal`` and rejects any other name when it loads;
a room's registry maps the same names to builders (``tests/test_registries.py`` keeps the two
equal), and a config made in code with a bad name still fails here, in one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from assistant.errors import ConfigError

B = TypeVar("B")


class Registry(Generic[B]):
    """``name -> builder`` for the option ``key`` ("asr.engine")."""

    def __init__(self, key: str, builders: Mapping[str, B]) -> None:
        self.key = key
        self._builders = dict(builders)

    def __getitem__(self, name: str) -> B:
        try:
            return self._builders[name]
        except KeyError:
            raise ConfigError(f"config: {self.key} must be one of {', '.join(self._builders)}, "
                              f"got {name!r}") from None

    def names(self) -> tuple[str, ...]:
        return tuple(self._builders)
