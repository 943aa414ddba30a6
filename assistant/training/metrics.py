"""The measures the targets are stated in: accuracy, out-of-scope recall, span F1 (conlleval)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.understanding.tagging import spans


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return float(np.mean([g == p for g, p in zip(gold, pred, strict=True)])) if gold else 0.0


def oos_scores(gold: Sequence[str], pred: Sequence[str], oos: str) -> dict[str, float]:
    """Larson et al. 2019: in-scope accuracy (rejections count as errors) and OOS recall."""
    ins = [(g, p) for g, p in zip(gold, pred, strict=True) if g != oos]
    out = [(g, p) for g, p in zip(gold, pred, strict=True) if g == oos]
    return {
        "in_scope_accuracy": float(np.mean([g == p for g, p in ins])) if ins else 0.0,
        "oos_recall": float(np.mean([p == oos for _, p in out])) if out else 0.0,
        "oos_precision": float(np.mean([g == oos for g, p in zip(gold, pred, strict=True) if p == oos]))
        if oos in pred else 0.0,
    }


def span_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, float]:
    """Micro precision / recall / F1 over exact (type, start, end) spans."""
    tp = n_gold = n_pred = 0
    for g, p in zip(gold, pred, strict=True):
        gs = {(s.name, s.start, s.end) for s in spans(g)}
        ps = {(s.name, s.start, s.end) for s in spans(p)}
        tp += len(gs & ps)
        n_gold += len(gs)
        n_pred += len(ps)
    prec = tp / n_pred if n_pred else 0.0
    rec = tp / n_gold if n_gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"precision": prec, "recall": rec, "f1": f1}
