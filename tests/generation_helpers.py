"""The converted SmolLM2 model for the generation tests.

The installed copy (``scripts/install.sh`` runs ``assistant models install smollm2-135m-onnx``)
is used when present; otherwise the real GGUF is converted once per test session (~6 s).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from assistant.errors import ModelError
from assistant.generation.convert import convert
from assistant.models.registry import locate


def gguf_path() -> Path:
    return locate("smollm2-135m-gguf")


@functools.cache
def converted_dir() -> Path:
    """A fresh conversion of the real GGUF, made once per session."""
    out = Path(tempfile.mkdtemp(prefix="hearth-smollm2-")) / "smollm2-135m-onnx"
    convert(gguf_path(), out, progress=False)
    return out


@functools.cache
def model_dir() -> Path:
    """The installed model, else this session's conversion."""
    try:
        return locate("smollm2-135m-onnx")
    except ModelError:
        return converted_dir()
