"""Building an ONNX graph by hand, shared by every model Hearth converts or builds itself
(the generative model from GGUF, Whisper's step decoder, the NLU model's export), and the
linear layer they all use: float, or weights in blocks of 8 or 4 bits (``MatMulNBits``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS = "com.microsoft"
OPSET = 21
BLOCK = 32  # MatMulNBits' weights are quantized in blocks of this many along K
_MINUS_ONE = np.array([-1], np.int64)


class Graph:
    """Builds one ModelProto in place (weights go straight into it, so a 115 MB model is held
    once, not once per helper copy) and hands out unique tensor names."""

    def __init__(self) -> None:
        self.model = onnx.ModelProto()
        self.proto = self.model.graph
        self._names: set[str] = set()
        self._n = 0

    def const(self, name: str, value: np.ndarray) -> str:
        """An initializer; a name already added (weights shared by two ops) is reused."""
        if name not in self._names:
            self._names.add(name)
            self.proto.initializer.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op: str, inputs: list[str], n_out: int = 1, domain: str = "", **attrs) -> list[str]:
        self._n += 1
        outs = [f"{op.lower()}_{self._n}_{i}" for i in range(n_out)]
        self.proto.node.append(
            helper.make_node(op, inputs, outs, name=f"{op}_{self._n}", domain=domain, **attrs))
        return outs

    def one(self, op: str, inputs: list[str], domain: str = "", **attrs) -> str:
        return self.op(op, inputs, 1, domain, **attrs)[0]

    def rename_outputs(self, names: list[str]) -> None:
        """Give the last node's outputs fixed names ("" drops an optional output)."""
        node = self.proto.node[-1]
        for i, name in enumerate(names):
            node.output[i] = name

    def finish(self, name: str, inputs: list[onnx.ValueInfoProto],
               outputs: list[onnx.ValueInfoProto], props: dict[str, str]) -> onnx.ModelProto:
        self.proto.name = name
        self.proto.input.extend(inputs)
        self.proto.output.extend(outputs)
        m = self.model
        m.ir_version = 10
        m.producer_name = "hearth"
        m.opset_import.extend([helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)])
        helper.set_model_props(m, props)
        return m


@dataclass(frozen=True)
class Linear:
    """One y = x @ W.T layer, W [N, K], in either float or MatMulNBits form."""

    n: int
    k: int
    weight: np.ndarray | None = None  # fp32 [N, K] when not quantized
    packed: np.ndarray | None = None  # uint8 [N, K/32, 32*bits/8]
    scales: np.ndarray | None = None  # float32 [N * K/32]
    zero_points: np.ndarray | None = None  # uint8, packed like the weights; None = midpoint
    offsets: np.ndarray | None = None  # float32 [K/32, N]: the exact-Q4_1 correction term
    bits: int = 0


def pack_blocks(q: np.ndarray, bits: int) -> np.ndarray:
    """[N, K] small unsigned ints -> [N, K/32, 32*bits/8] bytes, low nibble first."""
    n, k = q.shape
    q = q.reshape(n, k // BLOCK, BLOCK).astype(np.uint8)
    if bits == 8:
        return np.ascontiguousarray(q)
    return np.ascontiguousarray(q[..., 0::2] | (q[..., 1::2] << 4))


def sym8(w: np.ndarray) -> Linear:
    """Symmetric 8-bit per block of 32 (zero point 128, the MatMulNBits default)."""
    n, k = w.shape
    blk = w.reshape(n, k // BLOCK, BLOCK)
    amax = np.abs(blk).max(-1)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.round(blk / scale[..., None]) + 128, 1, 255).astype(np.uint8)
    return Linear(n, k, packed=pack_blocks(q.reshape(n, k), 8), scales=scale.reshape(-1), bits=8)


def linear(g: Graph, x: str, lin: Linear, name: str, acc: dict[int, int]) -> str:
    """x @ W.T in the layer's format; exact Q4_1 adds the per-block offset term.
    ``acc`` maps weight bits to MatMulNBits' accuracy_level."""
    if lin.weight is not None:
        return g.one("MatMul", [x, g.const(f"{name}.weight_t", lin.weight.T)])
    inputs = [x, g.const(f"{name}.qweight", lin.packed), g.const(f"{name}.scales", lin.scales)]
    if lin.zero_points is not None:
        inputs.append(g.const(f"{name}.zero_points", lin.zero_points))
    y = g.one("MatMulNBits", inputs, MS, K=lin.k, N=lin.n, bits=lin.bits, block_size=BLOCK,
              accuracy_level=acc[lin.bits])
    if lin.offsets is None:
        return y
    shape = g.const(f"{name}.block_shape", np.array([0, 0, lin.k // BLOCK, BLOCK], np.int64))
    sums = g.one("ReduceSum", [g.one("Reshape", [x, shape]), g.const("c.minus_one", _MINUS_ONE)],
                 keepdims=0)
    return g.one("Add", [y, g.one("MatMul", [sums, g.const(f"{name}.offsets", lin.offsets)])])
