"""The nightly job's own small feature store: only the texts one night uses.

Why not the training cache (``understanding.features``): that one holds every text ever
encoded and is loaded whole, which alone would take most of the job's memory budget on a Pi.
This store keeps exactly the replay, validation and test subsets plus the household's
utterances, is rewritten with only those after each run (so forgotten history does not linger
here past the next night), and is keyed by a hash of the words, never the text itself.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant import paths
from assistant.training.features import Features, featurize
from assistant.understanding.encoder import DIM, Encoder


def default_path() -> Path:
    return paths.cache_dir() / "personalize" / "features.npz"


def _key(words: Sequence[str]) -> str:
    return hashlib.sha1("\x1f".join(words).encode("utf-8")).hexdigest()


def _model_id(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class FeatureStore:
    """Pooled and per-word encoder vectors by utterance; computes what is missing."""

    def __init__(self, encoder: Encoder, path: Path | None = None) -> None:
        self.encoder = encoder
        self.path = path or default_path()
        self.model_id = _model_id(encoder.model_path)
        self.items: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.used: set[str] = set()
        try:
            with np.load(self.path) as z:
                if str(z["model_id"]) == self.model_id:
                    keys, pooled, states, offsets = z["keys"], z["pooled"], z["states"], z["offsets"]
                    for i, k in enumerate(keys):
                        self.items[str(k)] = (pooled[i], states[offsets[i]:offsets[i + 1]])
        except (OSError, KeyError, ValueError):  # missing or half-written: start empty
            self.items = {}

    def features(self, utterances: Sequence[Sequence[str]], progress: bool = False) -> Features:
        """Features of word lists, in order, encoding only those not stored yet."""
        keys = [_key(u) for u in utterances]
        self.used.update(keys)
        missing: dict[str, Sequence[str]] = {}
        for k, u in zip(keys, utterances, strict=True):
            if k not in self.items:
                missing.setdefault(k, u)
        if missing:
            new = featurize(self.encoder, list(missing.values()), progress=progress, use_cache=False)
            for i, k in enumerate(missing):
                self.items[k] = (new.pooled[i], new.words[i].astype(np.float16))
        pooled = np.stack([self.items[k][0] for k in keys]) if keys else np.zeros((0, DIM), np.float32)
        return Features(pooled.astype(np.float32), [self.items[k][1].astype(np.float32) for k in keys])

    def save(self, prune: bool = True) -> None:
        """Write the utterances used since loading (all of them: ``prune=False``), atomically."""
        keys = sorted(self.used & self.items.keys() if prune else self.items)
        states = [self.items[k][1] for k in keys]
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in states])]).astype(np.int64)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(
            tmp, model_id=np.array(self.model_id), keys=np.array(keys),
            pooled=np.stack([self.items[k][0] for k in keys]).astype(np.float32) if keys
            else np.zeros((0, DIM), np.float32),
            states=np.concatenate(states).astype(np.float16) if states else np.zeros((0, DIM), np.float16),
            offsets=offsets,
        )
        os.replace(tmp, self.path)
