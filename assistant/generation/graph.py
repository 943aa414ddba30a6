"""Build the SmolLM2 (llama) decoder as an ONNX graph with a KV cache, straight from GGUF weights.

Per layer: RMSNorm -> fused q|k|v projection -> ``GroupQueryAttention`` (rotary embedding and
the KV cache inside the op) -> output projection -> RMSNorm fused with the residual add ->
fused gate|up projection -> SiLU(gate) * up -> down projection.

RoPE: llama.cpp's converter permutes the q/k rows so that rotating *adjacent* pairs (2i, 2i+1)
of the stored weights equals Hugging Face's rotate-half on the original ones. The stored rows
are kept as they are and the op rotates interleaved pairs (``rotary_interleaved=1``).

Inputs: ``input_ids`` [B, S] and ``past_key_values.{i}.key|value`` [B, kv_heads, P, head_dim]
(P may be 0). Outputs: ``logits`` [B, 1, vocab] for the last position (or [B, S, vocab] with
``all_logits``) and ``present.{i}.key|value`` [B, kv_heads, P+S, head_dim]. Positions are P..P+S-1,
so no position or mask input is needed for one unpadded sequence.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper

from assistant.errors import ModelError
from assistant.generation.gguf_source import BLOCK, GgufSource, LlamaSpec
from assistant.generation.quant import concat, exact, make_linear
from assistant.onnx_graph import MS, Graph, Linear, linear

_MINUS_ONE = np.array([-1], np.int64)


def _rope_caches(spec: LlamaSpec) -> tuple[np.ndarray, np.ndarray]:
    """cos/sin [context, rope_dim/2] for the rotary embedding inside GroupQueryAttention."""
    inv = spec.rope_theta ** (-np.arange(0, spec.rope_dim, 2, dtype=np.float64) / spec.rope_dim)
    angles = np.outer(np.arange(spec.context, dtype=np.float64), inv)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


class _Builder:
    def __init__(self, spec: LlamaSpec, accuracy_level: int, accuracy_level_8bit: int):
        self.spec, self.g = spec, Graph()
        self.acc = {4: accuracy_level, 8: accuracy_level_8bit}

    def linear(self, x: str, lin: Linear, name: str) -> str:
        return linear(self.g, x, lin, name, self.acc)

    def lengths(self) -> tuple[str, str]:
        """seqlens_k ([B] int32, total-1) and total_sequence_length (int32 scalar) from shapes."""
        g = self.g
        ids_shape = g.one("Shape", ["input_ids"])
        batch = g.one("Slice", [ids_shape, g.const("c.zero", np.array([0], np.int64)),
                                g.const("c.one", np.array([1], np.int64))])
        seq = g.one("Shape", ["input_ids"], start=1, end=2)
        past = g.one("Shape", ["past_key_values.0.key"], start=2, end=3)
        total = g.one("Cast", [g.one("Add", [seq, past])], to=TensorProto.INT32)
        total_scalar = g.one("Squeeze", [total, g.const("c.axis0", np.array([0], np.int64))])
        last = g.one("Sub", [total, g.const("c.one_i32", np.array([1], np.int32))])
        return g.one("Expand", [last, batch]), total_scalar

    def embed(self, lm_head: Linear) -> str:
        g, spec = self.g, self.spec
        if lm_head.weight is not None:
            table = lm_head.weight  # tied embeddings: the same matrix
            return g.one("Gather", [g.const("embed.weight", table), "input_ids"])
        # Share the 8-bit lm-head blocks [V, nb, 32] and their scales with the embedding lookup.
        shape = g.const("embed.scales_shape", np.array([spec.vocab, -1, 1], np.int64))
        scales = g.one("Reshape", [g.const("lm_head.scales", lm_head.scales), shape])
        rows = g.one("GatherBlockQuantized", [g.const("lm_head.qweight", lm_head.packed),
                                              "input_ids", scales], MS,
                     bits=8, block_size=BLOCK, quantize_axis=2, gather_axis=0)
        shape = g.const("embed.shape", np.array([0, 0, spec.hidden], np.int64))
        return g.one("Reshape", [rows, shape])

    def build(self, src: GgufSource, scheme: str, all_logits: bool,
              progress: Callable[[int], None]) -> onnx.ModelProto:
        g, spec = self.g, self.spec
        embd = src.blocks("token_embd.weight")
        lm_head = make_linear(embd, "fp32") if scheme == "fp32" else exact(embd)
        hidden = self.embed(lm_head)
        self.seqlens, self.total = self.lengths()
        cos, sin = _rope_caches(spec)
        self.cos, self.sin = g.const("rope.cos", cos), g.const("rope.sin", sin)
        norm = g.const("blk.0.attn_norm", src.floats("blk.0.attn_norm.weight"))
        x = g.one("SimplifiedLayerNormalization", [hidden, norm], axis=-1, epsilon=spec.rms_eps,
                  stash_type=1)
        residual = hidden
        for i in range(spec.layers):
            x, residual = self.layer(src, scheme, i, x, residual)
            progress(i + 1)
        if not all_logits:
            x = g.one("Slice", [x, g.const("c.minus_one", _MINUS_ONE),
                                g.const("c.int_max", np.array([2**62], np.int64)),
                                g.const("c.axis1", np.array([1], np.int64))])
        self.linear(x, lm_head, "lm_head")
        g.rename_outputs(["logits"])
        return self.model(scheme)

    def layer(self, src: GgufSource, scheme: str, i: int, x: str, residual: str
              ) -> tuple[str, str]:
        """One decoder block; ``x`` is the already-normalized input, returns the next block's
        normalized input (or the final norm's output) and the residual stream."""
        g, spec, p = self.g, self.spec, f"blk.{i}"

        def weights(*names: str) -> Linear:
            return make_linear(concat([src.blocks(f"{p}.{n}.weight") for n in names]), scheme)

        qkv = self.linear(x, weights("attn_q", "attn_k", "attn_v"), f"{p}.attn_qkv")
        attn = g.op("GroupQueryAttention",
                    [qkv, "", "", f"past_key_values.{i}.key", f"past_key_values.{i}.value",
                     self.seqlens, self.total, self.cos, self.sin],
                    3, MS, num_heads=spec.heads, kv_num_heads=spec.kv_heads, do_rotary=1,
                    rotary_interleaved=1)[0]
        g.rename_outputs([attn, f"present.{i}.key", f"present.{i}.value"])
        out = self.linear(attn, weights("attn_output"), f"{p}.attn_output")
        x, residual = self.skip_norm(out, residual, src.floats(f"{p}.ffn_norm.weight"),
                                     f"{p}.ffn_norm")
        gu = self.linear(x, weights("ffn_gate", "ffn_up"), f"{p}.ffn_gate_up")
        split = g.const(f"{p}.split", np.array([spec.ffn] * 2, np.int64))
        gate, up = g.op("Split", [gu, split], 2, axis=-1)
        act = g.one("Mul", [g.one("Mul", [gate, g.one("Sigmoid", [gate])]), up])
        down = self.linear(act, weights("ffn_down"), f"{p}.ffn_down")
        norm = "output_norm" if i + 1 == spec.layers else f"blk.{i + 1}.attn_norm"
        return self.skip_norm(down, residual, src.floats(f"{norm}.weight"), norm)

    def skip_norm(self, x: str, residual: str, gamma: np.ndarray, name: str) -> tuple[str, str]:
        """RMSNorm(x + residual) and the new residual, in one fused op."""
        out, _, _, summed = self.g.op("SkipSimplifiedLayerNormalization",
                                      [x, residual, self.g.const(name, gamma)], 4, MS,
                                      epsilon=self.spec.rms_eps)
        self.g.rename_outputs([out, "", "", summed])
        return out, summed

    def model(self, scheme: str) -> onnx.ModelProto:
        spec, f = self.spec, TensorProto.FLOAT
        kv = [spec.kv_heads, spec.head_dim]
        inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])]
        outputs = [helper.make_tensor_value_info("logits", f, ["batch", "logits_seq", spec.vocab])]
        for i in range(spec.layers):
            for kind in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(
                    f"past_key_values.{i}.{kind}", f, ["batch", kv[0], "past_seq", kv[1]]))
                outputs.append(helper.make_tensor_value_info(
                    f"present.{i}.{kind}", f, ["batch", kv[0], "total_seq", kv[1]]))
        return self.g.finish("smollm2_decoder", inputs, outputs, {"hearth.weights": scheme})


def build_decoder(src: GgufSource, scheme: str = "q4", *, all_logits: bool = False,
                  accuracy_level: int = 0, accuracy_level_8bit: int = 4,
                  progress: Callable[[int], None] | None = None) -> onnx.ModelProto:
    """The decoder graph for ``src`` with weights in ``scheme`` (see ``quant.SCHEMES``).

    ``progress(layers_done)`` is called after each layer; ``all_logits`` keeps logits for every
    position (teacher-forced evaluation) instead of only the last one (generation).
    ``accuracy_level`` is MatMulNBits' activation precision for 4-bit layers: 0 = fp32 (the
    default: 99.4% next-token agreement with the fp32 model) or 4 = int8 activations (~25% faster
    but only ~90% agreement on this small model). 8-bit layers default to 4 because ORT's
    fp32-activation 8-bit path dequantizes the whole matrix on every call (~40x slower for the
    49152-row vocabulary head).
    """
    spec = src.spec
    if spec.rope_dim != spec.head_dim or spec.hidden % spec.heads or spec.heads % spec.kv_heads:
        raise ModelError(f"{src.path.name}: unsupported head layout {spec}")
    builder = _Builder(spec, accuracy_level, accuracy_level_8bit)
    return builder.build(src, scheme, all_logits, progress or (lambda _: None))


def single_linear(lin: Linear, accuracy_level: int = 0) -> onnx.ModelProto:
    """A graph of one layer, ``y = x @ W.T`` with x [1, S, K], to check a weight format."""
    g = Graph()
    linear(g, "x", lin, "w", {4: accuracy_level, 8: accuracy_level})
    g.rename_outputs(["y"])
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "s", lin.k])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "s", lin.n])
    return g.finish("linear", [x], [y], {})
