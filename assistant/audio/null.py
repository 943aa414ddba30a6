"""A sink that discards audio: text-only runs and machines without a speaker."""

from __future__ import annotations

import numpy as np


class NullSink:
    """Accepts and drops everything, so the loop needs no special case for "no output"."""

    def write(self, samples: np.ndarray, rate: int) -> None:
        pass

    def flush(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass
