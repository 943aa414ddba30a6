"""Next-token choice: greedy by default (reproducible answers), optional top-p with a fixed seed.

A repetition penalty on the tokens already generated keeps a 135M model out of loops
("a cat's a cat's a cat's ...") without changing what it says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0  # 0 = greedy
    top_p: float = 0.9
    repetition_penalty: float = 1.2  # 1.0 = off
    seed: int = 0


class Sampler:
    """Picks one token id from the last position's logits."""

    def __init__(self, sampling: Sampling | None = None):
        self.sampling = sampling or Sampling()
        self.rng = np.random.default_rng(self.sampling.seed)

    def __call__(self, logits: np.ndarray, history: Sequence[int]) -> int:
        s = self.sampling
        logits = np.asarray(logits, dtype=np.float32)
        if s.repetition_penalty != 1.0 and history:
            seen = np.unique(np.asarray(history, dtype=np.int64))
            logits = logits.copy()
            vals = logits[seen]
            logits[seen] = np.where(vals > 0, vals / s.repetition_penalty,
                                    vals * s.repetition_penalty)
        if s.temperature <= 0:
            return int(np.argmax(logits))
        z = (logits - logits.max()) / s.temperature
        probs = np.exp(z)
        probs /= probs.sum()
        order = np.argsort(-probs)
        keep = int(np.searchsorted(np.cumsum(probs[order]), s.top_p) + 1)
        top = order[:keep]
        return int(self.rng.choice(top, p=probs[top] / probs[top].sum()))
