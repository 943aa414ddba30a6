"""The files of an NLU model folder and its ``nlu.json``, as one typed description.

Training writes a :class:`ModelSpec` with :meth:`ModelSpec.write`; the runtime and the tools read
it with :meth:`ModelSpec.read`. Kept in the runtime room so the assistant loads a model without
importing training code.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import ModelError
from assistant.files import write_atomic
from assistant.understanding.tagging import Transitions

FORMAT_VERSION = 1
NEG = -1e30  # stands for -inf in JSON

FILES = {"intent": "intent.onnx", "intent_lex": "intent_ngrams.onnx", "slots": "slots.onnx",
         "slots_lex": "slots_ngrams.onnx", "config": "nlu.json"}


@dataclass
class ModelSpec:
    """What ``nlu.json`` says: the labels of each head, how their outputs combine, and the
    out-of-scope threshold chosen on validation data."""

    intent_labels: list[str]
    tag_labels: list[str]
    lex_weight: float  # weight of the n-gram intent head against the dense one
    tag_lex_weight: float
    transition_weight: float  # weight of the tag-bigram log-probabilities in Viterbi
    threshold: float  # top intent probability under which the answer is out_of_scope
    intent_buckets: int  # hash buckets of the n-gram heads
    tag_buckets: int
    transitions: Transitions
    window: int = 1  # words of encoder context on each side of a tagged word
    meta: dict[str, Any] = field(default_factory=dict)  # training run: data, scores, seed

    @classmethod
    def read(cls, model_dir: Path) -> ModelSpec:
        """``nlu.json`` of ``model_dir`` with its keys and types checked; any problem is one
        ModelError line."""
        path = Path(model_dir) / FILES["config"]
        if not path.is_file():
            raise ModelError(f"NLU model config missing: {path}")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ModelError(f"NLU model config {path} is corrupt: {e}") from None
        if not isinstance(raw, dict):
            raise ModelError(f"NLU model config {path} is not a JSON object")
        need = [f.name for f in dataclasses.fields(cls) if f.name not in ("window", "meta")]
        missing = [k for k in ["format", *need, "start"] if k not in raw]
        if missing:
            raise ModelError(f"NLU model config {path} lacks {', '.join(missing)}")
        if raw["format"] != FORMAT_VERSION:
            raise ModelError(f"NLU model {model_dir} has format {raw['format']}, need {FORMAT_VERSION}")
        try:
            return cls(
                intent_labels=[str(x) for x in raw["intent_labels"]],
                tag_labels=[str(x) for x in raw["tag_labels"]],
                lex_weight=float(raw["lex_weight"]),
                tag_lex_weight=float(raw["tag_lex_weight"]),
                transition_weight=float(raw["transition_weight"]),
                threshold=float(raw["threshold"]),
                intent_buckets=int(raw["intent_buckets"]),
                tag_buckets=int(raw["tag_buckets"]),
                transitions=Transitions(_from_json(raw["transitions"]), _from_json(raw["start"])),
                window=int(raw.get("window", 1)),
                meta=dict(raw.get("meta") or {}),
            )
        except (TypeError, ValueError) as e:
            raise ModelError(f"NLU model config {path} has a bad value: {e}") from None

    def write(self, model_dir: Path) -> Path:
        """Write ``nlu.json`` atomically; returns its path."""
        t = self.transitions
        raw = {
            "format": FORMAT_VERSION,
            "intent_labels": self.intent_labels,
            "tag_labels": self.tag_labels,
            "lex_weight": self.lex_weight,
            "tag_lex_weight": self.tag_lex_weight,
            "transition_weight": self.transition_weight,
            "threshold": self.threshold,
            "intent_buckets": self.intent_buckets,
            "tag_buckets": self.tag_buckets,
            "window": self.window,
            "transitions": np.where(np.isfinite(t.trans), t.trans, NEG).round(5).tolist(),
            "start": np.where(np.isfinite(t.start), t.start, NEG).round(5).tolist(),
            "meta": self.meta,
        }
        path = Path(model_dir) / FILES["config"]
        write_atomic(path, json.dumps(raw, indent=1) + "\n")
        return path


def _from_json(values: Any) -> np.ndarray:
    a = np.array(values, np.float32)
    return np.where(a <= NEG / 2, -np.inf, a).astype(np.float32)
