"""The install-time rewrite of the int8 MiniLM into int8 kernels, on the real shipped file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest

from assistant.errors import ModelError
from assistant.models import checksums
from assistant.models.manifest import load
from assistant.models.registry import locate
from assistant.training.encoder_quant import convert
from assistant.understanding.encoder import Encoder, default_encoder_paths

SENTENCES = [
    "set a timer for five minutes", "add milk and eggs to the shopping list",
    "what's the weather like in paris tomorrow", "turn off the lights in the kitchen",
    "why is the sky blue", "wake me up at half past six", "remind me to call mum at six",
    "how many ounces in a kilo", "cancel my pasta timer", "tell me a joke",
]


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("q8")
    convert(locate("minilm-l6-int8"), out)
    return out / "model.onnx"


def test_rewrite_is_byte_for_byte_the_manifest_file(rewritten):
    entry = load().get("minilm-l6-q8")
    (pinned,) = entry.files
    assert checksums.sha256_file(rewritten) == pinned.sha256 and rewritten.stat().st_size == pinned.size


def test_no_weight_is_dequantized_as_a_whole(rewritten):
    """Every Cast left casts gathered rows, never a weight tensor (which onnxruntime would fold
    into a float32 copy); every matmul with a weight is an 8-bit MatMulNBits."""
    graph = onnx.load(str(rewritten)).graph
    inits = {t.name for t in graph.initializer}
    ops = [n.op_type for n in graph.node]
    assert ops.count("MatMulNBits") == 36
    assert not [n.name for n in graph.node if n.op_type == "Cast" and n.input[0] in inits]
    assert not [n.name for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits]


def test_same_vectors_as_the_float_folded_file(rewritten):
    """int8 activations change the numbers a little; the sentence vectors stay the same."""
    _, tok = default_encoder_paths()
    words = [s.split() for s in SENTENCES]
    a = Encoder(locate("minilm-l6-int8"), tok).encode(words)
    b = Encoder(rewritten, tok).encode(words)
    for x, y in zip(a, b, strict=True):
        cos = float(x.pooled @ y.pooled / np.linalg.norm(x.pooled) / np.linalg.norm(y.pooled))
        assert cos > 0.999
        assert np.abs(x.words - y.words).max() < 0.2


def test_the_runtime_uses_the_rewrite_when_installed():
    model, _ = default_encoder_paths()
    assert model == locate("minilm-l6-q8") and model.name == "model.onnx"


def test_a_file_that_is_not_the_int8_minilm_is_one_clear_error(tmp_path):
    bad = tmp_path / "model.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot read"):
        convert(bad, tmp_path)
    plain = tmp_path / "plain.onnx"
    x = onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])
    onnx.save(onnx.helper.make_model(onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["x"], ["y"])], "g", [x],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])])), str(plain))
    with pytest.raises(ModelError, match="no int8 weights"):
        convert(plain, tmp_path)
