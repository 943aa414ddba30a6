"""The synthesizer interface: load once, then a generator of audio chunks per text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np


class Synthesizer(Protocol):
    """Yields mono int16 chunks at ``sample_rate``, one or more per sentence, as soon as ready."""

    name: str
    sample_rate: int

    def stream(self, text: str) -> Iterator[np.ndarray]: ...
