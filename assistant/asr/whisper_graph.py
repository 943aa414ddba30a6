"""Whisper's text decoder as one onnxruntime graph: a step of every hypothesis in one call.

Numpy ran the same decoder op by op, and its output projection (384 x 51,864 for tiny.en)
multiplies a handful of rows slowly: 10.7 ms of a 19.8 ms step of four hypotheses on one
thread. onnxruntime packs the weights once, at load, for its matrix products: the same step
takes 10 ms, a 12-token text is scored in 12 ms instead of 34 (log-probabilities equal to
4e-5).

Every matrix is 8-bit (``MatMulNBits``, blocks of 32, activations in 8 bits too): a step of
four hypotheses takes 3.8 ms instead of 8.0, and the graph holds 32 MB instead of 113. A
sentence scores within 0.1 of the float graph's, and steering chose the same words for all 200
commands of ``benchmarks/asr.py --limit 100`` clean and at 10 dB. The price is that a score
now depends slightly on the shapes it was computed in (one token a pass or many): float sums
that differ in their last bit can round an activation to the next 8-bit step.

Inputs: ``x`` [hyps, tokens, width], the tokens' embeddings (looked up by the caller from the
weights it memory-maps, so the 38 MB float16 table is not held twice); ``mask`` [tokens,
past + tokens], 0 or -inf (causal); per layer ``past_key.i`` / ``past_value.i`` [hyps, heads,
past, head_dim] and ``cross_key.i`` / ``cross_value.i`` [1, heads, frames, head_dim], the
encoder's keys and values, shared by every hypothesis. Outputs: ``logprobs`` [hyps, tokens,
vocab] and ``key.i`` / ``value.i``, the grown self-attention cache.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper

from assistant.onnx_graph import Graph, Linear, linear, sym8

LN_EPS = 1e-5
ACCURACY = {8: 4}  # MatMulNBits' accuracy_level: int8 activations too (quantized per block)


def decoder_graph(weights: dict[str, np.ndarray], heads: int, int8: bool = True
                  ) -> onnx.ModelProto:
    """The ONNX model of one decoder step. ``weights`` (float32): ``positions``
    [448, width], ``output`` [width, vocab] (the transposed embeddings), ``final_ln.g|b`` and
    per layer ``i`` its norms (``ln1|ln2|ln3.g|b``) and linears (``qkv|out1|q2|out2|ff1|ff2.w|b``,
    ``w`` [in, out]) prefixed ``{i}.``."""
    g = Graph()
    width = weights["output"].shape[0]
    head_dim = width // heads
    split_heads = g.const("split_heads", np.array([0, 0, heads, head_dim], np.int64))
    merge_heads = g.const("merge_heads", np.array([0, 0, width], np.int64))
    scale = g.const("scale", np.array(head_dim ** -0.5, np.float32))
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["hyps", "tokens", width]),
              helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["tokens", "total"])]
    outputs = [helper.make_tensor_value_info("logprobs", TensorProto.FLOAT,
                                             ["hyps", "tokens", weights["output"].shape[1]])]

    def matmul(x: str, name: str, w: np.ndarray) -> str:  # x @ w, w [in, out]
        lin = sym8(w.T) if int8 else Linear(w.shape[1], w.shape[0], weight=w.T)
        return linear(g, x, lin, name, ACCURACY)

    def affine(x: str, name: str) -> str:  # x @ w + b
        return g.one("Add", [matmul(x, name, weights[f"{name}.w"]),
                             g.const(f"{name}.b", weights[f"{name}.b"])])

    def norm(x: str, name: str) -> str:
        return g.one("LayerNormalization", [x, g.const(f"{name}.g", weights[f"{name}.g"]),
                                            g.const(f"{name}.b", weights[f"{name}.b"])],
                     axis=-1, epsilon=LN_EPS)

    def heads_of(a: str) -> str:  # [hyps, tokens, width] -> [hyps, heads, tokens, head_dim]
        return g.one("Transpose", [g.one("Reshape", [a, split_heads])], perm=[0, 2, 1, 3])

    def attend(q: str, k: str, v: str, mask: str | None) -> str:
        scores = g.one("Mul", [g.one("MatMul", [q, g.one("Transpose", [k], perm=[0, 1, 3, 2])]),
                               scale])
        if mask is not None:
            scores = g.one("Add", [scores, mask])
        a = g.one("MatMul", [g.one("Softmax", [scores], axis=-1), v])
        return g.one("Reshape", [g.one("Transpose", [a], perm=[0, 2, 1, 3]), merge_heads])

    def grown(kind: str, i: int, new: str) -> str:
        """The past keys or values with the new ones after them, a graph output too."""
        g.one("Concat", [f"past_{kind}.{i}", new], axis=2)
        g.rename_outputs([f"{kind}.{i}"])
        outputs.append(helper.make_tensor_value_info(f"{kind}.{i}", TensorProto.FLOAT,
                                                     ["hyps", heads, "grown", head_dim]))
        return f"{kind}.{i}"

    # positions past..past+tokens-1, past read off the first layer's cache
    past = g.one("Shape", ["past_key.0"], start=2, end=3)
    count = g.one("Shape", ["x"], start=1, end=2)
    positions = g.one("Slice", [g.const("positions", weights["positions"]), past,
                                g.one("Add", [past, count]),
                                g.const("zero", np.array([0], np.int64))])
    x = g.one("Add", ["x", positions])
    i = 0
    while f"{i}.qkv.w" in weights:
        for kind in ("key", "value"):
            inputs += [helper.make_tensor_value_info(f"past_{kind}.{i}", TensorProto.FLOAT,
                                                     ["hyps", heads, "past", head_dim]),
                       helper.make_tensor_value_info(f"cross_{kind}.{i}", TensorProto.FLOAT,
                                                     [1, heads, "frames", head_dim])]
        sizes = g.const("qkv_sizes", np.array([width] * 3, np.int64))
        q, k, v = (heads_of(part) for part in g.op(
            "Split", [affine(norm(x, f"{i}.ln1"), f"{i}.qkv"), sizes], 3, axis=-1))
        a = attend(q, grown("key", i, k), grown("value", i, v), "mask")
        x = g.one("Add", [x, affine(a, f"{i}.out1")])
        q = heads_of(affine(norm(x, f"{i}.ln2"), f"{i}.q2"))
        x = g.one("Add", [x, affine(attend(q, f"cross_key.{i}", f"cross_value.{i}", None),
                                    f"{i}.out2")])
        # GELU's tanh form, as steering's weights were fitted with (Whisper's erf form differs
        # by < 1e-3)
        h = g.one("Gelu", [affine(norm(x, f"{i}.ln3"), f"{i}.ff1")], approximate="tanh")
        x = g.one("Add", [x, affine(h, f"{i}.ff2")])
        i += 1
    logits = matmul(norm(x, "final_ln"), "output", weights["output"])
    g.one("LogSoftmax", [logits], axis=-1)
    g.rename_outputs(["logprobs"])
    return g.finish("whisper_decoder_step", inputs, outputs, {})
