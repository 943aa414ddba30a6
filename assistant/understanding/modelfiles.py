"""The files of an exported NLU model folder and how to read its ``nlu.json``.

Kept apart from ``train.py`` so the runtime loads a model without importing training code.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.errors import ModelError
from assistant.understanding.tagging import Transitions

FORMAT_VERSION = 1
NEG = -1e30  # stands for -inf in JSON

FILES = {"intent": "intent.onnx", "intent_lex": "intent_ngrams.onnx", "slots": "slots.onnx",
         "slots_lex": "slots_ngrams.onnx", "config": "nlu.json"}


def read_config(model_dir: Path) -> dict:
    """``nlu.json`` with its keys checked; any problem is one ModelError line."""
    path = model_dir / FILES["config"]
    if not path.is_file():
        raise ModelError(f"NLU model config missing: {path}")
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelError(f"NLU model config {path} is corrupt: {e}") from None
    need = ("format", "intent_labels", "tag_labels", "lex_weight", "tag_lex_weight",
            "transition_weight", "threshold", "intent_buckets", "tag_buckets", "transitions", "start")
    missing = [k for k in need if k not in cfg] if isinstance(cfg, dict) else list(need)
    if missing:
        raise ModelError(f"NLU model config {path} lacks {', '.join(missing)}")
    if cfg["format"] != FORMAT_VERSION:
        raise ModelError(f"NLU model {model_dir} has format {cfg['format']}, need {FORMAT_VERSION}")
    return cfg


def transitions_from(cfg: dict) -> Transitions:
    trans = np.array(cfg["transitions"], np.float32)
    start = np.array(cfg["start"], np.float32)
    return Transitions(np.where(trans <= NEG / 2, -np.inf, trans).astype(np.float32),
                       np.where(start <= NEG / 2, -np.inf, start).astype(np.float32))


