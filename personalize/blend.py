"""Weight-space blending of the fine-tuned heads with the heads they started from.

Why: continuing training on a replay sample drifts the heads away from what the full base
training found (about half a point of base accuracy even with no household data at all).
Averaging the weights of the start and fine-tuned heads keeps most of the household gain and
most of the base accuracy (WiSE-FT: Wortsman et al., *Robust fine-tuning of zero-shot models*,
CVPR 2022). Possible because fine-tuning keeps the architecture and the input normalization;
output columns are matched by label, since a night can add labels.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from assistant.training import train as nlu_train
from assistant.training.heads import Head
from assistant.training.lexical import LexicalHead


def _cols(old: np.ndarray, old_labels: list[str], new: np.ndarray, new_labels: list[str]) -> np.ndarray:
    """``old``'s output columns in ``new_labels`` order; labels it lacks take ``new``'s column."""
    pos = {lab: i for i, lab in enumerate(old_labels)}
    out = new.copy()
    for j, lab in enumerate(new_labels):
        if lab in pos:
            out[..., j] = old[..., pos[lab]]
    return out


def _mix(a: np.ndarray, b: np.ndarray, alpha: float) -> np.ndarray:
    return ((1 - alpha) * a + alpha * b).astype(b.dtype)


def blend_dense(start: Head, tuned: Head, alpha: float) -> Head:
    layers = []
    last = len(tuned.layers) - 1
    for i, ((w0, b0), (w1, b1)) in enumerate(zip(start.layers, tuned.layers, strict=True)):
        if i == last:
            w0, b0 = _cols(w0, start.labels, w1, tuned.labels), _cols(b0, start.labels, b1, tuned.labels)
        layers.append((_mix(w0, w1, alpha), _mix(b0, b1, alpha)))
    return Head(list(tuned.labels), tuned.mean, tuned.std, layers)


def blend_lexical(start: LexicalHead, tuned: LexicalHead, alpha: float) -> LexicalHead:
    out = _cols(start.out, start.labels, tuned.out, tuned.labels)
    bias = _cols(start.bias, start.labels, tuned.bias, tuned.labels)
    return LexicalHead(list(tuned.labels), tuned.buckets, tuned.idf, _mix(start.emb, tuned.emb, alpha),
                       _mix(out, tuned.out, alpha), _mix(bias, tuned.bias, alpha))


def blend(start: nlu_train.Heads, tuned: nlu_train.Heads, alpha: float) -> nlu_train.Heads:
    """``(1 - alpha) * start + alpha * tuned``, head by head (alpha=1: the tuned heads)."""
    intent = dataclasses.replace(
        tuned.intent, dense=blend_dense(start.intent.dense, tuned.intent.dense, alpha),
        lex=blend_lexical(start.intent.lex, tuned.intent.lex, alpha))
    tagger = dataclasses.replace(
        tuned.tagger, dense=blend_dense(start.tagger.dense, tuned.tagger.dense, alpha),
        lex=blend_lexical(start.tagger.lex, tuned.tagger.lex, alpha))
    return dataclasses.replace(tuned, intent=intent, tagger=tagger)
