"""Building an ONNX graph by hand, shared by every model Hearth converts or builds itself
(the generative model from GGUF, Whisper's step decoder, the NLU model's export)."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

MS = "com.microsoft"
OPSET = 21


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
