"""Weight-space blending of the fine-tuned model with the model it started from.

Why: continuing training on a replay sample drifts the model away from what the full base
training found. Averaging the weights of the start and fine-tuned models keeps most of the
household gain and most of the base accuracy (WiSE-FT: Wortsman et al., *Robust fine-tuning of
zero-shot models*, CVPR 2022). Possible because fine-tuning keeps the architecture; rows of the
output layers are matched by label, since a night can add labels.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from assistant.training.train import Trained

_OUTPUTS = {"intent": "intent_labels", "tags": "tag_labels"}


def _rows(old: np.ndarray, old_labels: list[str], new: np.ndarray, new_labels: list[str]) -> np.ndarray:
    """``old``'s output rows in ``new_labels`` order; labels it lacks take ``new``'s row."""
    pos = {lab: i for i, lab in enumerate(old_labels)}
    out = new.copy()
    for j, lab in enumerate(new_labels):
        if lab in pos:
            out[j] = old[pos[lab]]
    return out


def blend_weights(start: dict[str, np.ndarray], start_labels: dict[str, list[str]],
                  tuned: dict[str, np.ndarray], tuned_labels: dict[str, list[str]],
                  alpha: float) -> dict[str, np.ndarray]:
    """``(1 - alpha) * start + alpha * tuned`` for every weight (alpha=1: the tuned model)."""
    out = {}
    for name, t in tuned.items():
        s = start[name]
        layer = name.split(".")[0]
        if layer in _OUTPUTS:
            s = _rows(s, start_labels[layer], t, tuned_labels[layer])
        out[name] = ((1 - alpha) * s + alpha * t).astype(t.dtype)
    return out


def blend(start: Trained, tuned: Trained, alpha: float) -> Trained:
    """The blended model, with ``tuned``'s labels and calibration."""
    from assistant.training.minilm import from_weights, weights_of

    labels = {"intent": start.intent_labels, "tags": start.tag_labels}
    new_labels = {"intent": tuned.intent_labels, "tags": tuned.tag_labels}
    mixed = blend_weights(weights_of(start.model), labels, weights_of(tuned.model), new_labels, alpha)
    return dataclasses.replace(tuned, model=from_weights(mixed))
