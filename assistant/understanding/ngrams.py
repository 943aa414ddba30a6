"""Hashed word and character n-grams: the lexical features of Hearth's NLU.

Sentences use word 1-2-grams and character 3-5-grams; words (for slot tagging) use the word, its
neighbours, affixes and shape. Features are hashed with crc32 (stable across runs) into
``buckets``; the graphs in the model folder take the ids and their term frequencies.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

_DIGITS = re.compile(r"\d")


def sentence_ngrams(words: Sequence[str]) -> list[str]:
    """Word unigrams and bigrams plus character 3-5-grams of each padded word."""
    feats = [f"w:{w}" for w in words]
    feats += [f"b:{a} {b}" for a, b in zip(("<s>", *words), (*words, "</s>"), strict=True)]
    for w in words:
        p = f"<{w}>"
        feats += [f"c:{p[i:i + n]}" for n in (3, 4, 5) for i in range(len(p) - n + 1)]
    return feats


def _shape(w: str) -> str:
    return _DIGITS.sub("0", w) if any(ch.isdigit() for ch in w) else ("a" if w.isalpha() else "p")


def token_ngrams(words: Sequence[str], i: int) -> list[str]:
    """Features of word ``i`` for slot tagging: the word in a +-2 window, affixes, shape."""
    pad = ["<s2>", "<s>", *words, "</s>", "</s2>"]
    j = i + 2
    w = pad[j]
    return [
        f"w:{w}", f"w-1:{pad[j - 1]}", f"w+1:{pad[j + 1]}", f"w-2:{pad[j - 2]}",
        f"w+2:{pad[j + 2]}", f"b-:{pad[j - 1]} {w}", f"b+:{w} {pad[j + 1]}",
        f"p3:{w[:3]}", f"s3:{w[-3:]}", f"s2:{w[-2:]}", f"sh:{_shape(w)}", "bias",
        f"t-:{pad[j - 2]} {pad[j - 1]} {w}", f"t+:{w} {pad[j + 1]} {pad[j + 2]}",
    ]


def hash_ids(feats: Sequence[str], buckets: int) -> np.ndarray:
    """Stable bucket ids (crc32) of feature strings."""
    return np.fromiter((zlib.crc32(f.encode("utf-8")) % buckets for f in feats), np.int64,
                       count=len(feats))


def padded_inputs(rows: Sequence[Sequence[str]], buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """Graph inputs for feature rows: unique ids and sublinear tf, padded to the longest row."""
    bags = []
    for feats in rows:
        ids = hash_ids(feats, buckets)
        uniq, counts = np.unique(ids, return_counts=True)
        bags.append((uniq, 1.0 + np.log(counts)))
    width = max((len(u) for u, _ in bags), default=0) or 1
    ids = np.zeros((len(bags), width), np.int64)
    tf = np.zeros((len(bags), width), np.float32)
    for i, (u, t) in enumerate(bags):
        ids[i, :len(u)] = u
        tf[i, :len(u)] = t
    return ids, tf
