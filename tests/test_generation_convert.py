"""The GGUF -> ONNX conversion on the real SmolLM2 file, checked against an independent numpy
implementation of the model (Hugging Face layout: un-permuted q/k rows, rotate-half RoPE)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from generation_helpers import converted_dir, gguf_path
from gguf.quants import dequantize
from tokenizers import Tokenizer

from assistant.errors import ModelError
from assistant.generation.convert import convert
from assistant.generation.gguf_source import GgufSource
from assistant.generation.graph import build_decoder
from assistant.models import checksums
from assistant.models.manifest import load


@pytest.fixture(scope="module")
def src() -> GgufSource:
    return GgufSource(gguf_path())


def test_metadata_is_read_not_assumed(src):
    s = src.spec
    assert (s.layers, s.hidden, s.heads, s.kv_heads, s.ffn) == (30, 576, 9, 3, 1536)
    assert (s.vocab, s.head_dim, s.rope_theta) == (49152, 64, 100000.0)
    assert not src.has("output.weight")  # tied embeddings: the head reuses token_embd


@pytest.mark.parametrize("name", ["blk.0.attn_q.weight", "blk.29.ffn_down.weight",
                                  "token_embd.weight"])
def test_integer_blocks_equal_gguf_dequantize(src, name):
    t = src.raw(name)
    reference = dequantize(t.data, t.tensor_type)
    np.testing.assert_array_equal(src.blocks(name).dequantize(), reference)


def test_conversion_writes_the_manifest_files_byte_for_byte():
    out = converted_dir()
    found = {f.path: f.sha256 for f in checksums.hash_tree(out)}
    assert set(found) == {"model.onnx", "tokenizer.json", "generation.json"}
    entry = load().get("smollm2-135m-onnx")
    assert entry.files, "the manifest should pin the converted files"
    assert found == {f.path: f.sha256 for f in entry.files}  # deterministic conversion
    config = json.loads((out / "generation.json").read_text())
    assert config["stop_token_ids"] == [0, 2] and config["weights"] == "q4"


def test_tokenizer_round_trips_and_keeps_chat_markers_whole():
    tok = Tokenizer.from_file(str(converted_dir() / "tokenizer.json"))
    text = "Set a timer for 15 minutes, please — it's 7:30 already!"
    enc = tok.encode(text)
    assert tok.decode(enc.ids) == text
    assert "1" in enc.tokens and "5" in enc.tokens  # smollm splits digits one by one
    ids = tok.encode("<|im_start|>user\nhi<|im_end|>").ids
    assert ids[0] == tok.token_to_id("<|im_start|>") == 1
    assert ids[-1] == tok.token_to_id("<|im_end|>") == 2


def _reference_logits(src: GgufSource, ids: list[int]) -> np.ndarray:
    """Plain numpy llama forward pass in the Hugging Face formulation (fp32, no cache)."""
    s, n = src.spec, len(ids)
    hd, rep = s.head_dim, s.heads // s.kv_heads

    def w(name: str) -> np.ndarray:
        return src.floats(name)

    def unpermute(m: np.ndarray, heads: int) -> np.ndarray:  # undo llama.cpp's q/k row order
        return m.reshape(heads, hd // 2, 2, -1).swapaxes(1, 2).reshape(m.shape)

    def rms(x: np.ndarray, g: np.ndarray) -> np.ndarray:
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + s.rms_eps) * g

    angles = np.outer(np.arange(n), s.rope_theta ** (-np.arange(0, hd, 2) / hd))
    cos, sin = np.cos(np.tile(angles, 2)), np.sin(np.tile(angles, 2))

    def rope(t: np.ndarray) -> np.ndarray:  # rotate-half
        return t * cos + np.concatenate([-t[..., hd // 2:], t[..., : hd // 2]], -1) * sin

    def heads(m: np.ndarray, count: int) -> np.ndarray:
        return m.reshape(n, count, hd).transpose(1, 0, 2)

    embed = w("token_embd.weight")
    x = embed[ids]
    mask = np.triu(np.full((n, n), -np.inf), 1)
    for i in range(s.layers):
        p = f"blk.{i}."
        h = rms(x, w(p + "attn_norm.weight"))
        q = rope(heads(h @ unpermute(w(p + "attn_q.weight"), s.heads).T, s.heads))
        k = rope(heads(h @ unpermute(w(p + "attn_k.weight"), s.kv_heads).T, s.kv_heads))
        v = heads(h @ w(p + "attn_v.weight").T, s.kv_heads)
        k, v = np.repeat(k, rep, 0), np.repeat(v, rep, 0)
        a = q @ k.transpose(0, 2, 1) / np.sqrt(hd) + mask
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        x = x + (a @ v).transpose(1, 0, 2).reshape(n, -1) @ w(p + "attn_output.weight").T
        h = rms(x, w(p + "ffn_norm.weight"))
        gate, up = h @ w(p + "ffn_gate.weight").T, h @ w(p + "ffn_up.weight").T
        x = x + (gate / (1 + np.exp(-gate)) * up) @ w(p + "ffn_down.weight").T
    return rms(x, w("output_norm.weight")) @ embed.T


def test_onnx_graph_equals_numpy_reference(src):
    """fp32 activations everywhere: the graph must reproduce the GGUF model to float rounding."""
    tok = Tokenizer.from_file(str(converted_dir() / "tokenizer.json"))
    ids = tok.encode("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n"
                     "<|im_start|>assistant\nThe capital of France is").ids
    model = build_decoder(src, "q4", all_logits=True, accuracy_level=0, accuracy_level_8bit=0)
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    sess = ort.InferenceSession(model.SerializeToString(), opts)
    feeds = {i.name: np.zeros((1, 3, 0, 64), np.float32) for i in sess.get_inputs()[1:]}
    got = sess.run(["logits"], {"input_ids": np.array([ids]), **feeds})[0][0]
    want = _reference_logits(src, ids)
    np.testing.assert_allclose(got, want, atol=2e-3, rtol=1e-3)
    assert tok.decode([int(got[-1].argmax())]) == " Paris"


def test_not_a_gguf_is_one_line_model_error(tmp_path: Path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelError) as err:
        convert(bad, tmp_path / "out", progress=False)
    assert "\n" not in str(err.value) and "broken.gguf" in str(err.value)
    with pytest.raises(ModelError, match="not found"):
        convert(tmp_path / "missing.gguf", tmp_path / "out", progress=False)
