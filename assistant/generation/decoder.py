"""The converted decoder as an onnxruntime session plus its KV cache.

The cache stays in onnxruntime's own tensors (``OrtValue``) between steps, so a step costs one
new token's work and no copy of the cache through numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from assistant.errors import ModelError
from assistant.onnx_session import open_session

MODEL_FILE = "model.onnx"
CONFIG_FILE = "generation.json"
FORMAT = 1  # must match ``convert.FORMAT``


def read_config(model_dir: Path) -> dict[str, Any]:
    """``generation.json``; a missing, unreadable or other-format file is one ModelError line."""
    path = Path(model_dir) / CONFIG_FILE
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"generation model is not installed: {path} is missing "
                         "(run: assistant models install smollm2-135m-onnx)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"generation model config {path} is unreadable ({e})") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelError(f"generation model in {model_dir} has an unsupported format; "
                         "reinstall it (assistant models install --force smollm2-135m-onnx)")
    return config


@dataclass
class Cache:
    """Past keys and values of every layer, and how many positions they hold."""

    values: dict[str, ort.OrtValue]
    length: int = 0


class Decoder:
    """Runs the graph: token ids + cache in, logits of the last (or every) position out."""

    def __init__(self, model_dir: Path, threads: int = 2):
        self.config = read_config(model_dir)
        path = Path(model_dir) / MODEL_FILE
        # Idle workers sleep instead of spinning: the speaker also runs TTS and audio on the same
        # few cores (measured here under load: 53 vs 27 tokens/s with spinning).
        try:
            self.session = open_session(path, max(1, threads), spin=False)
        except ModelError as e:
            raise ModelError(f"generation model: {e}") from None
        self.layers = int(self.config["layers"])
        self._shape = (1, int(self.config["kv_heads"]), 0, int(self.config["head_dim"]))
        names = [o.name for o in self.session.get_outputs()]
        self._outputs = names
        self._past = [n.replace("present.", "past_key_values.", 1) for n in names[1:]]
        expected = {f"past_key_values.{i}.{k}"
                    for i in range(self.layers) for k in ("key", "value")}
        if names[0] != "logits" or set(self._past) != expected:
            raise ModelError(f"generation model {path} has unexpected inputs/outputs; reinstall it")
        self.context = int(self.config["context"])

    def empty_cache(self) -> Cache:
        empty = np.zeros(self._shape, np.float32)
        return Cache({name: ort.OrtValue.ortvalue_from_numpy(empty) for name in self._past})

    def forward(self, ids: list[int], cache: Cache) -> tuple[np.ndarray, Cache]:
        """Logits [positions, vocab] after ``ids`` (appended to ``cache``) and the new cache."""
        if cache.length + len(ids) > self.context:
            raise ModelError(f"generation: {cache.length + len(ids)} tokens exceed the model's "
                             f"context of {self.context}")
        feeds = dict(cache.values)
        feeds["input_ids"] = ort.OrtValue.ortvalue_from_numpy(np.array([ids], np.int64))
        outs = self.session.run_with_ort_values(self._outputs, feeds)
        logits = outs[0].numpy()[0]
        return logits, Cache(dict(zip(self._past, outs[1:], strict=True)), cache.length + len(ids))
