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

# 2: one fine-tuned MiniLM graph (intent + tags) with its tokenizer; 1 was frozen-encoder heads
FORMAT_VERSION = 2
NEG = -1e30  # stands for -inf in JSON

FILES = {"model": "model.onnx", "tokenizer": "tokenizer.json", "config": "nlu.json"}


@dataclass
class ModelSpec:
    """What ``nlu.json`` says: the labels of the graph's two outputs, the out-of-scope
    threshold chosen on validation data, and the tag transitions of the Viterbi decoder."""

    intent_labels: list[str]
    tag_labels: list[str]
    threshold: float  # top intent probability under which the answer is out_of_scope
    transition_weight: float  # weight of the tag-bigram log-probabilities in Viterbi
    transitions: Transitions
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
        if raw.get("format") != FORMAT_VERSION:
            raise ModelError(f"NLU model {model_dir} has format {raw.get('format')}, need {FORMAT_VERSION}")
        need = [f.name for f in dataclasses.fields(cls) if f.name != "meta"]
        missing = [k for k in [*need, "start"] if k not in raw]
        if missing:
            raise ModelError(f"NLU model config {path} lacks {', '.join(missing)}")
        try:
            return cls(
                intent_labels=[str(x) for x in raw["intent_labels"]],
                tag_labels=[str(x) for x in raw["tag_labels"]],
                threshold=float(raw["threshold"]),
                transition_weight=float(raw["transition_weight"]),
                transitions=Transitions(_from_json(raw["transitions"]), _from_json(raw["start"])),
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
            "threshold": self.threshold,
            "transition_weight": self.transition_weight,
            "transitions": np.where(np.isfinite(t.trans), t.trans, NEG).round(5).tolist(),
            "start": np.where(np.isfinite(t.start), t.start, NEG).round(5).tolist(),
            "meta": self.meta,
        }
        path = Path(model_dir) / FILES["config"]
        write_atomic(path, json.dumps(raw, indent=1) + "\n")
        return path


def format_of(model_dir: Path) -> int | None:
    """The format number of a model folder's ``nlu.json`` (None: missing or unreadable), to
    tell a model this code can run from one an older version of Hearth left behind."""
    try:
        raw = json.loads((Path(model_dir) / FILES["config"]).read_text(encoding="utf-8"))
        return int(raw["format"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _from_json(values: Any) -> np.ndarray:
    a = np.array(values, np.float32)
    return np.where(a <= NEG / 2, -np.inf, a).astype(np.float32)
