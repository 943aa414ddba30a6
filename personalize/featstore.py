"""The nightly job's store of frozen-layer states: only the texts one night uses.

The job trains the top layers of the live model (``model.TRAIN_FROM``); what the layers below
make of an utterance never changes between nights, so it is computed once and kept here, and
each night only runs the layers it trains. The store holds exactly the replay subset plus the
household's utterances, is rewritten with only those after each run (so forgotten history does
not linger here past the next night), is keyed by a hash of the words, never the text itself,
and is thrown away when the frozen layers change (a new shipped model).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from assistant import paths


def default_path() -> Path:
    return paths.cache_dir() / "personalize" / "states.npz"


def _key(words: Sequence[str]) -> str:
    return hashlib.sha1("\x1f".join(words).encode("utf-8")).hexdigest()


def frozen_id(weights: dict[str, np.ndarray], upto: int) -> str:
    """Digest of the weights that make the states: embeddings and the first ``upto`` layers."""
    h = hashlib.sha256(str(upto).encode())
    for name in sorted(weights):
        if name.startswith(("word_emb", "pos_emb", "type_emb", "emb_norm")) or (
                name.startswith("layers.") and int(name.split(".")[1]) < upto):
            h.update(name.encode() + np.ascontiguousarray(weights[name]).tobytes())
    return h.hexdigest()


class StateStore:
    """States [n_tokens, 384] (float16) by utterance for one set of frozen layers."""

    def __init__(self, model_id: str, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.model_id = model_id
        self.items: dict[str, np.ndarray] = {}
        self.used: set[str] = set()
        try:
            with np.load(self.path) as z:
                if str(z["model_id"]) == model_id:
                    keys, states, offsets = z["keys"], z["states"], z["offsets"]
                    for i, k in enumerate(keys):
                        self.items[str(k)] = states[offsets[i]:offsets[i + 1]]
        except (OSError, KeyError, ValueError):  # missing or half-written: start empty
            self.items = {}

    def missing(self, utterances: Sequence[Sequence[str]]) -> list[int]:
        """Indices of utterances not stored yet (and remember all of them as used)."""
        keys = [_key(u) for u in utterances]
        self.used.update(keys)
        return [i for i, k in enumerate(keys) if k not in self.items]

    def put(self, words: Sequence[str], states: np.ndarray) -> None:
        self.items[_key(words)] = states.astype(np.float16)

    def get(self, utterances: Sequence[Sequence[str]]) -> list[np.ndarray]:
        return [self.items[_key(u)] for u in utterances]

    def save(self) -> None:
        """Write the utterances used since loading, atomically."""
        keys = sorted(self.used & self.items.keys())
        states = [self.items[k] for k in keys]
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in states])]).astype(np.int64)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp.npz")
        np.savez(tmp, model_id=np.array(self.model_id), keys=np.array(keys), offsets=offsets,
                 states=np.concatenate(states) if states else np.zeros((0, 384), np.float16))
        os.replace(tmp, self.path)
