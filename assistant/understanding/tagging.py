"""Slot tagging on top of per-word tag log-probabilities: BIO Viterbi and span decoding.

Why a Viterbi: a per-word softmax can emit ``I-item`` after ``O`` or mix two slot types inside
one span; decoding with BIO constraints plus transition log-probabilities counted on the
training tags (a CRF-like layer without CRF training) fixes those and is what lifts span F1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.events import Slot


def allowed_transitions(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Boolean (prev, next) matrix and start vector for valid BIO sequences."""
    n = len(labels)
    trans = np.ones((n, n), bool)
    start = np.ones(n, bool)
    for j, lab in enumerate(labels):
        if lab.startswith("I-"):
            start[j] = False
            for i, prev in enumerate(labels):
                trans[i, j] = prev[2:] == lab[2:] and prev != "O"
    return trans, start


@dataclass
class Transitions:
    """Log-probabilities of tag bigrams (-inf where BIO forbids them) and of the first tag."""

    trans: np.ndarray
    start: np.ndarray


def viterbi(logp: np.ndarray, t: Transitions, weight: float = 1.0) -> np.ndarray:
    """Best tag sequence for per-word log-probs ``logp`` [T, L] under weighted transitions."""
    n, _ = logp.shape
    if n == 0:
        return np.zeros(0, int)
    start = np.where(np.isfinite(t.start), weight * np.nan_to_num(t.start, neginf=0.0), -np.inf)
    trans = np.where(np.isfinite(t.trans), weight * np.nan_to_num(t.trans, neginf=0.0), -np.inf)
    score = logp[0] + start
    back = np.zeros(logp.shape, int)
    for i in range(1, n):
        cand = score[:, None] + trans
        back[i] = cand.argmax(axis=0)
        score = cand.max(axis=0) + logp[i]
    path = np.zeros(n, int)
    path[-1] = int(score.argmax())
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def spans(tags: Sequence[str], probs: np.ndarray | None = None,
          words: Sequence[str] | None = None) -> list[Slot]:
    """One slot for each B/I run of BIO ``tags``; confidence = mean prob of its tags, text from
    ``words`` when given."""
    out: list[Slot] = []
    cur: tuple[str, int] | None = None

    def close(end: int) -> None:
        if cur is not None:
            name, start = cur
            conf = float(probs[start:end].mean()) if probs is not None else 1.0
            text = " ".join(words[start:end]) if words is not None else ""
            out.append(Slot(name, text, confidence=conf, start=start, end=end))

    for i, tag in enumerate(tags):
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[0] != tag[2:])):
            close(i)
            cur = (tag[2:], i)
        elif tag == "O":
            close(i)
            cur = None
    close(len(tags))
    return out
