"""Source and sink interfaces. Everything inside the loop is 16 kHz mono int16."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np

SAMPLE_RATE = 16000


class Source(Protocol):
    """Yields 16 kHz mono int16 blocks until the input ends (files) or forever (microphone)."""

    def blocks(self) -> Iterator[np.ndarray]: ...

    def close(self) -> None: ...


class Sink(Protocol):
    """Takes mono int16 audio at ``rate``; ``flush`` waits until it has been played or written."""

    def write(self, samples: np.ndarray, rate: int) -> None: ...

    def flush(self) -> None: ...

    def stop(self) -> None: ...  # cut playback now (barge-in)

    def close(self) -> None: ...


@runtime_checkable
class Adjustable(Protocol):
    """A sink with a volume (a speaker): ``gain`` 0.0..1.0 scales what it plays."""

    gain: float
