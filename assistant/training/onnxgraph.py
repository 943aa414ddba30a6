"""Helpers to write small ONNX graphs with optionally int8 weights, and to read weights back.

Why hand-made int8 (per-column symmetric int8 + ``DequantizeLinear``) instead of
``quantize_dynamic``: the file shrinks 4x, onnxruntime folds the dequantization at load so
inference runs the fp32 kernels at full accuracy, and :func:`read_weight` can recover the
weights by name, so nightly fine-tuning starts from the shipped heads.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.files import write_atomic

OPSET = 17


def weight(name: str, w: np.ndarray, int8: bool) -> tuple[list, list]:
    """(nodes, initializers) that make tensor ``name`` available in the graph."""
    from onnx import helper, numpy_helper

    w = np.asarray(w, np.float32)
    if not int8 or w.ndim != 2:
        return [], [numpy_helper.from_array(w, name)]
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    inits = [numpy_helper.from_array(q, f"{name}_q"),
             numpy_helper.from_array(scale.astype(np.float32), f"{name}_scale"),
             numpy_helper.from_array(np.zeros(w.shape[1], np.int8), f"{name}_zero")]
    node = helper.make_node("DequantizeLinear", [f"{name}_q", f"{name}_scale", f"{name}_zero"],
                            [name], axis=1)
    return [node], inits


def gather_rows(name: str, table: np.ndarray, ids: str, out: str, int8: bool) -> tuple[list, list]:
    """(nodes, initializers) computing ``out = table[ids]``.

    With int8 the rows are gathered first and only they are dequantized: dequantizing a
    65k-row table on every call would cost milliseconds.
    """
    from onnx import TensorProto, helper, numpy_helper

    table = np.asarray(table, np.float32)
    if not int8:
        return ([helper.make_node("Gather", [name, ids], [out], axis=0)],
                [numpy_helper.from_array(table, name)])
    scale = np.abs(table).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(table / scale), -127, 127).astype(np.int8)
    nodes = [helper.make_node("Gather", [f"{name}_q", ids], [f"{out}_q"], axis=0),
             helper.make_node("Cast", [f"{out}_q"], [f"{out}_f"], to=TensorProto.FLOAT),
             helper.make_node("Mul", [f"{out}_f", f"{name}_scale"], [out])]
    return nodes, [numpy_helper.from_array(q, f"{name}_q"),
                   numpy_helper.from_array(scale.astype(np.float32), f"{name}_scale")]


def save(nodes: list, inits: list, inputs: list, outputs: list, path: Path, name: str) -> Path:
    """Check and write a graph (atomically: a crash never leaves half a model)."""
    import onnx
    from onnx import helper

    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="hearth")
    model.ir_version = 8
    onnx.checker.check_model(model)
    write_atomic(path, model.SerializeToString())
    return path


def read_weights(path: Path) -> dict[str, np.ndarray]:
    """All weights of a graph by name, int8 ones dequantized back to float32."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    raw = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    out = {k: v for k, v in raw.items() if not k.endswith(("_q", "_scale", "_zero"))}
    for k in raw:
        if k.endswith("_q"):
            base = k[:-2]
            out[base] = raw[k].astype(np.float32) * raw[f"{base}_scale"]
    return out
