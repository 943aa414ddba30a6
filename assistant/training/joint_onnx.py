"""The fine-tuned joint model as one ONNX graph, with int8 weights, and its weights read back.

Weights come as numpy arrays named like :class:`assistant.training.minilm.JointModel`'s
parameters. With ``int8`` every linear layer of the encoder is an 8-bit ``MatMulNBits`` (block 32,
symmetric, int8 activations: ``onnx_graph.sym8``, the route the generative model uses) and
the word embedding table is int8 rows with one scale each, gathered before they are dequantized;
the small output layers, norms and biases stay float32. Position and token-type embeddings are
summed into one table (the type is always 0). The intent layer outputs probabilities, the tag
layer per-word log-probabilities, so the runtime only decides.

Inputs (``wordpieces.Inputs``): ``input_ids``, ``attention_mask`` [B, T] and ``word_index``
[B, W]. Outputs: ``intent_probs`` [B, C] and ``tag_logp`` [B, W, L].

:func:`read_weights` inverts the export (int8 weights dequantized): the nightly job fine-tunes
the live model from its own file, and re-quantizing an unchanged dequantized block gives back
the same integers, so layers it does not train stay bit for bit as they were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from assistant.files import write_atomic
from assistant.onnx_graph import BLOCK, Graph, Linear, linear, sym8
from assistant.understanding.wordpieces import MAX_TOKENS

LAYERS, HEADS, HIDDEN, EPS = 6, 12, 384, 1e-12
ACCURACY = {8: 4}  # MatMulNBits accuracy_level for 8-bit weights: int8 activations too
_LINEARS = ("attn_out", "ffn_in", "ffn_out")


def _rows_int8(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(table).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return np.clip(np.round(table / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


class _Export:
    def __init__(self, w: dict[str, np.ndarray], int8: bool) -> None:
        self.w, self.int8, self.g = w, int8, Graph()

    def c(self, name: str, value: np.ndarray | None = None) -> str:
        return self.g.const(name, np.asarray(self.w[name] if value is None else value, np.float32))

    def dense(self, x: str, weight: np.ndarray, bias: np.ndarray, name: str) -> str:
        lin = sym8(weight) if self.int8 else Linear(weight.shape[0], weight.shape[1], weight=weight)
        return self.g.one("Add", [linear(self.g, x, lin, name, ACCURACY), self.c(f"{name}.bias", bias)])

    def norm(self, x: str, name: str) -> str:
        return self.g.one("LayerNormalization", [x, self.c(f"{name}.weight"), self.c(f"{name}.bias")],
                          axis=-1, epsilon=EPS)

    def ints(self, name: str, values: list[int]) -> str:
        return self.g.const(name, np.array(values, np.int64))

    def embed(self, ids: str) -> str:
        g, table = self.g, self.w["word_emb.weight"]
        if self.int8:
            q, scale = _rows_int8(table)
            rows = g.one("Cast", [g.one("Gather", [g.const("word_emb.q8", q), ids], axis=0)],
                         to=TensorProto.FLOAT)
            words = g.one("Mul", [rows, g.one("Gather", [g.const("word_emb.scale", scale), ids], axis=0)])
        else:
            words = g.one("Gather", [self.c("word_emb.weight"), ids], axis=0)
        pos = (self.w["pos_emb.weight"][:MAX_TOKENS] + self.w["type_emb.weight"][0]).astype(np.float32)
        length = g.one("Gather", [g.one("Shape", [ids]), self.ints("c.one", [1])], axis=0)
        pos = g.one("Slice", [self.c("pos_type_emb", pos), self.ints("c.zero", [0]), length])
        return self.norm(g.one("Add", [words, pos]), "emb_norm")

    def layer(self, i: int, h: str, bias: str) -> str:
        g, p, d = self.g, f"layers.{i}", HIDDEN // HEADS
        qkv = self.dense(h, np.concatenate([self.w[f"{p}.{m}.weight"] for m in "qkv"]),
                         np.concatenate([self.w[f"{p}.{m}.bias"] for m in "qkv"]), f"{p}.qkv")
        q, k, v = g.op("Split", [qkv, self.ints("c.split", [HIDDEN] * 3)], 3, axis=-1)
        heads = self.ints("c.heads", [0, 0, HEADS, d])

        def split(x: str, perm: list[int]) -> str:
            return g.one("Transpose", [g.one("Reshape", [x, heads])], perm=perm)

        scores = g.one("MatMul", [split(q, [0, 2, 1, 3]), split(k, [0, 2, 3, 1])])
        scores = g.one("Add", [g.one("Mul", [scores, self.g.const("c.scale", np.array(d ** -0.5, np.float32))]), bias])
        ctx = g.one("MatMul", [g.one("Softmax", [scores], axis=-1), split(v, [0, 2, 1, 3])])
        ctx = g.one("Reshape", [g.one("Transpose", [ctx], perm=[0, 2, 1, 3]), self.ints("c.merge", [0, 0, HIDDEN])])
        h = self.norm(g.one("Add", [h, self.dense(ctx, self.w[f"{p}.attn_out.weight"],
                                                  self.w[f"{p}.attn_out.bias"], f"{p}.attn_out")]),
                      f"{p}.attn_norm")
        f = g.one("Gelu", [self.dense(h, self.w[f"{p}.ffn_in.weight"], self.w[f"{p}.ffn_in.bias"], f"{p}.ffn_in")])
        f = self.dense(f, self.w[f"{p}.ffn_out.weight"], self.w[f"{p}.ffn_out.bias"], f"{p}.ffn_out")
        return self.norm(g.one("Add", [h, f]), f"{p}.ffn_norm")

    def build(self, labels: dict[str, str]) -> bytes:
        g = self.g
        maskf = g.one("Cast", ["attention_mask"], to=TensorProto.FLOAT)
        bias = g.one("Mul", [g.one("Sub", [maskf, g.const("c.onef", np.array(1.0, np.float32))]),
                             g.const("c.big", np.array(1e4, np.float32))])
        bias = g.one("Unsqueeze", [bias, self.ints("c.axes12", [1, 2])])
        h = self.embed("input_ids")
        for i in range(LAYERS):
            h = self.layer(i, h, bias)
        m3 = g.one("Unsqueeze", [maskf, self.ints("c.axis2", [2])])
        axis1 = self.ints("c.axis1", [1])
        pooled = g.one("Div", [g.one("ReduceSum", [g.one("Mul", [h, m3]), axis1], keepdims=0),
                               g.one("ReduceSum", [m3, axis1], keepdims=0)])
        intent = g.one("Add", [g.one("MatMul", [pooled, self.c("intent.weight_t", self.w["intent.weight"].T)]),
                               self.c("intent.bias")])
        g.op("Softmax", [intent], axis=-1)
        g.rename_outputs(["intent_probs"])
        index = g.one("Unsqueeze", ["word_index", self.ints("c.axis_last", [-1])])
        shape = g.one("Concat", [g.one("Shape", ["word_index"]), self.ints("c.hidden", [HIDDEN])], axis=0)
        words = g.one("GatherElements", [h, g.one("Expand", [index, shape])], axis=1)
        tags = g.one("Add", [g.one("MatMul", [words, self.c("tags.weight_t", self.w["tags.weight"].T)]),
                             self.c("tags.bias")])
        g.op("LogSoftmax", [tags], axis=-1)
        g.rename_outputs(["tag_logp"])
        n_int, n_tag = len(self.w["intent.bias"]), len(self.w["tags.bias"])
        inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, dims) for n, dims in (
            ("input_ids", ["B", "T"]), ("attention_mask", ["B", "T"]), ("word_index", ["B", "W"]))]
        outputs = [helper.make_tensor_value_info("intent_probs", TensorProto.FLOAT, ["B", n_int]),
                   helper.make_tensor_value_info("tag_logp", TensorProto.FLOAT, ["B", "W", n_tag])]
        model = g.finish("hearth_joint_nlu", inputs, outputs,
                         {"weights": "int8" if self.int8 else "fp32", **labels})
        return model.SerializeToString(deterministic=True)


def write(weights: dict[str, np.ndarray], path: Path, int8: bool = True,
          props: dict[str, str] | None = None) -> Path:
    """Write the graph atomically (a crash never leaves half a model)."""
    write_atomic(path, _Export(weights, int8).build(props or {}))
    return path


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """The weights of a graph :func:`write` made, int8 ones dequantized, by JointModel name."""
    import onnx

    raw = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    out: dict[str, np.ndarray] = {}

    def dense(name: str) -> np.ndarray:
        if f"{name}.weight_t" in raw:
            return raw[f"{name}.weight_t"].T.copy()
        packed, scales = raw[f"{name}.qweight"], raw[f"{name}.scales"]
        n, blocks, _ = packed.shape
        q = packed.astype(np.float32) - 128.0
        return (q * scales.reshape(n, blocks, 1)).reshape(n, blocks * BLOCK)

    if "word_emb.q8" in raw:
        out["word_emb.weight"] = raw["word_emb.q8"].astype(np.float32) * raw["word_emb.scale"]
    else:
        out["word_emb.weight"] = raw["word_emb.weight"]
    out["pos_emb.weight"] = raw["pos_type_emb"]
    out["type_emb.weight"] = np.zeros((2, HIDDEN), np.float32)
    for key in ("emb_norm.weight", "emb_norm.bias", "intent.bias", "tags.bias"):
        out[key] = raw[key]
    out["intent.weight"], out["tags.weight"] = dense("intent"), dense("tags")
    for i in range(LAYERS):
        p = f"layers.{i}"
        qkv, qkv_b = dense(f"{p}.qkv"), raw[f"{p}.qkv.bias"]
        for j, m in enumerate("qkv"):
            out[f"{p}.{m}.weight"] = qkv[j * HIDDEN:(j + 1) * HIDDEN]
            out[f"{p}.{m}.bias"] = qkv_b[j * HIDDEN:(j + 1) * HIDDEN]
        for m in _LINEARS:
            out[f"{p}.{m}.weight"], out[f"{p}.{m}.bias"] = dense(f"{p}.{m}"), raw[f"{p}.{m}.bias"]
        for m in ("attn_norm", "ffn_norm"):
            out[f"{p}.{m}.weight"], out[f"{p}.{m}.bias"] = raw[f"{p}.{m}.weight"], raw[f"{p}.{m}.bias"]
    return {k: np.ascontiguousarray(v, np.float32) for k, v in out.items()}

