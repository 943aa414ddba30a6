"""Encoder features with a disk cache, so training and nightly fine-tuning never re-encode a text.

Why: encoding ~50k utterances takes minutes on a Pi-class CPU, while the heads train in
seconds. Each utterance is keyed by sha1(encoder sha256 + its words); new results are appended
as one shard file per call under ``~/.cache/hearth/features/`` (``HEARTH_CACHE_DIR`` moves it).
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant import paths
from assistant.files import write_atomic
from assistant.understanding.encoder import DIM, Encoder

BATCH = 64


@dataclass
class Features:
    """Pooled sentence vectors (N, DIM) and per-utterance word vectors [(n_i, DIM)]."""

    pooled: np.ndarray
    words: list[np.ndarray]

    def take(self, idx: Sequence[int] | np.ndarray) -> Features:
        idx = np.asarray(idx, dtype=int)
        return Features(self.pooled[idx], [self.words[i] for i in idx])


def cache_root() -> Path:
    return paths.cache_dir() / "features"


@cache
def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _key(model_id: str, words: Sequence[str]) -> str:
    return hashlib.sha1((model_id + "\x1f" + "\x1f".join(words)).encode("utf-8")).hexdigest()


class FeatureCache:
    """Append-only shards of (keys, pooled, word states as float16, offsets)."""

    def __init__(self, model_id: str, root: Path | None = None) -> None:
        self.dir = (root or cache_root()) / model_id[:16]
        self.index: dict[str, tuple[int, int]] = {}
        self.shards: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        if self.dir.is_dir():
            for f in sorted(self.dir.glob("*.npz")):
                try:
                    z = np.load(f)
                    keys, pooled, states, offsets = z["keys"], z["pooled"], z["states"], z["offsets"]
                except Exception:  # a half-written shard: ignore, it will be recomputed
                    continue
                sid = len(self.shards)
                self.shards.append((pooled, states, offsets))
                for row, k in enumerate(keys):
                    self.index[str(k)] = (sid, row)

    def get(self, key: str) -> tuple[np.ndarray, np.ndarray] | None:
        hit = self.index.get(key)
        if hit is None:
            return None
        pooled, states, offsets = self.shards[hit[0]]
        r = hit[1]
        return pooled[r], states[offsets[r]:offsets[r + 1]].astype(np.float32)

    def add(self, keys: list[str], pooled: list[np.ndarray], words: list[np.ndarray]) -> None:
        if not keys:
            return
        offsets = np.concatenate([[0], np.cumsum([len(w) for w in words])]).astype(np.int64)
        states = (np.concatenate(words) if offsets[-1] else np.zeros((0, DIM))).astype(np.float16)
        shard = io.BytesIO()
        np.savez(shard, keys=np.array(keys), pooled=np.stack(pooled).astype(np.float32),
                 states=states, offsets=offsets)
        write_atomic(self.dir / f"{uuid.uuid4().hex}.npz", shard.getvalue(), durable=False)
        sid = len(self.shards)
        self.shards.append((np.stack(pooled).astype(np.float32), states, offsets))
        for row, k in enumerate(keys):
            self.index[k] = (sid, row)


def featurize(encoder: Encoder, utterances: Sequence[Sequence[str]], progress: bool = True,
              use_cache: bool = True) -> Features:
    """Features of word-split utterances, computing only those not in the disk cache."""
    from tqdm import tqdm

    model_id = _file_sha256(encoder.model_path)
    store = FeatureCache(model_id) if use_cache else None
    keys = [_key(model_id, u) for u in utterances]
    pooled: list[np.ndarray | None] = [None] * len(keys)
    words: list[np.ndarray | None] = [None] * len(keys)
    todo: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        hit = store.get(k) if store else None
        if hit is None:
            todo.setdefault(k, []).append(i)
        else:
            pooled[i], words[i] = hit
    order = sorted(todo, key=lambda k: len(utterances[todo[k][0]]))  # similar lengths batch well
    new_keys: list[str] = []
    new_pooled: list[np.ndarray] = []
    new_words: list[np.ndarray] = []
    bar = tqdm(total=len(order), desc="encoding", unit="utt", disable=not progress or not order)
    for b in range(0, len(order), BATCH):
        chunk = order[b:b + BATCH]
        for k, enc in zip(chunk, encoder.encode([utterances[todo[k][0]] for k in chunk]), strict=True):
            for i in todo[k]:
                pooled[i], words[i] = enc.pooled, enc.words
            new_keys.append(k)
            new_pooled.append(enc.pooled)
            new_words.append(enc.words)
        bar.update(len(chunk))
        if store and len(new_keys) >= 4096:  # flush now and then so an interrupt keeps work
            store.add(new_keys, new_pooled, new_words)
            new_keys, new_pooled, new_words = [], [], []
    bar.close()
    if store:
        store.add(new_keys, new_pooled, new_words)
    return Features(np.stack(pooled).astype(np.float32) if keys else np.zeros((0, DIM), np.float32),
                    [w for w in words])  # type: ignore[misc]
