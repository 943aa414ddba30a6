"""Small softmax classifiers (linear or one hidden layer) trained in numpy, exported to ONNX.

Why numpy and not scikit-learn: the personalization room fine-tunes these same heads nightly
from their current weights (``init=``), which needs warm starts and a fixed label set; a
hand-written Adam loop does both in a few lines and maps one-to-one onto an ONNX graph
(MatMul + Add [+ Relu + MatMul + Add] + Softmax). Feature standardization is folded into the
first layer at export, so the graph takes raw encoder features.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.understanding.decode import softmax


@dataclass
class Head:
    """A trained classifier: labels, input mean/std, and layers [(W, b), ...] (ReLU between)."""

    labels: list[str]
    mean: np.ndarray
    std: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def logits(self, x: np.ndarray) -> np.ndarray:
        h = (x - self.mean) / self.std
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        return h

    def proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.logits(x))


def _init_layers(dims: list[int], rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """He-initialized hidden layers; the output layer starts at zero (uniform predictions)."""
    layers = [(rng.normal(0, np.sqrt(2.0 / a), (a, b)).astype(np.float32), np.zeros(b, np.float32))
              for a, b in zip(dims[:-2], dims[1:-1], strict=False)]
    return layers + [(np.zeros((dims[-2], dims[-1]), np.float32), np.zeros(dims[-1], np.float32))]


def _remap(init: Head, labels: list[str], d_in: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Warm-start layers from ``init``; output rows of labels it doesn't know start at zero."""
    layers = [(w.copy(), b.copy()) for w, b in init.layers]
    if layers[0][0].shape[0] != d_in:
        raise ValueError(f"init head takes {layers[0][0].shape[0]} features, data has {d_in}")
    w, b = layers[-1]
    nw = np.zeros((w.shape[0], len(labels)), np.float32)
    nb = np.full(len(labels), b.min() if len(b) else 0.0, np.float32)
    pos = {lab: i for i, lab in enumerate(init.labels)}
    for j, lab in enumerate(labels):
        if lab in pos:
            nw[:, j], nb[j] = w[:, pos[lab]], b[pos[lab]]
    layers[-1] = (nw, nb)
    return layers


def fit_head(
    x: np.ndarray, y: np.ndarray, labels: list[str], *, hidden: int = 0, epochs: int = 30,
    lr: float = 2e-3, l2: float = 1e-4, batch: int = 256, dropout: float = 0.0,
    sample_weight: np.ndarray | None = None, init: Head | None = None, seed: int = 0,
    x_val: np.ndarray | None = None, y_val: np.ndarray | None = None, desc: str = "head",
    progress: bool = True,
) -> Head:
    """Train a softmax head with Adam and cross-entropy; keeps the epoch best on validation.

    ``y`` holds label indices into ``labels``. With ``init``, training continues from that
    head's weights and normalization (labels matched by name), as nightly fine-tuning needs.
    """
    from tqdm import tqdm

    rng = np.random.default_rng(seed)
    x = x.astype(np.float32)
    if init is not None:
        mean, std = init.mean, init.std
        layers = _remap(init, labels, x.shape[1])
    else:
        mean = x.mean(axis=0)
        std = x.std(axis=0) + 1e-6
        dims = [x.shape[1]] + ([hidden] if hidden else []) + [len(labels)]
        layers = _init_layers(dims, rng)
    xn = (x - mean) / std
    xv = (x_val.astype(np.float32) - mean) / std if x_val is not None else None
    sw = np.ones(len(y), np.float32) if sample_weight is None else sample_weight.astype(np.float32)
    params = [p for layer in layers for p in layer]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = 0
    best: tuple[float, list[np.ndarray]] | None = None
    head = Head(list(labels), mean.astype(np.float32), std.astype(np.float32), layers)
    bar = tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress)
    for _ in bar:
        order = rng.permutation(len(y))
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            grads = _backward(params, xn[idx], y[idx], sw[idx], dropout, rng)
            step += 1
            for i, (p, g) in enumerate(zip(params, grads, strict=True)):
                if p.ndim == 2:
                    g = g + l2 * p
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                p -= lr * (m[i] / (1 - 0.9**step)) / (np.sqrt(v[i] / (1 - 0.999**step)) + 1e-8)
        if xv is not None and y_val is not None and len(y_val):
            acc = float((_forward(params, xv).argmax(1) == y_val).mean())
            bar.set_postfix(val=f"{acc:.4f}")
            if best is None or acc > best[0]:
                best = (acc, [p.copy() for p in params])
    if best is not None:
        for p, b in zip(params, best[1], strict=True):
            p[...] = b
    head.layers = [(params[i], params[i + 1]) for i in range(0, len(params), 2)]
    return head


def _forward(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = np.maximum(h, 0.0)
    return h


def _backward(params: list[np.ndarray], x: np.ndarray, y: np.ndarray, sw: np.ndarray,
              dropout: float, rng: np.random.Generator) -> list[np.ndarray]:
    """Gradients of the weighted mean cross-entropy (inverted dropout on hidden layers)."""
    acts = [x]
    masks: list[np.ndarray | None] = []
    h = x
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = np.maximum(h, 0.0)
            mask = None
            if dropout:
                mask = (rng.random(h.shape) >= dropout).astype(np.float32) / (1 - dropout)
                h = h * mask
            masks.append(mask)
            acts.append(h)
    p = softmax(h)
    p[np.arange(len(y)), y] -= 1.0
    d = p * (sw / sw.sum())[:, None]
    grads: list[np.ndarray] = [np.empty(0)] * len(params)
    for li in range(len(params) // 2 - 1, -1, -1):
        a = acts[li]
        grads[2 * li] = a.T @ d
        grads[2 * li + 1] = d.sum(axis=0)
        if li > 0:
            d = d @ params[2 * li].T
            d = d * (a > 0)
            mask = masks[li - 1]
            if mask is not None:
                d = d * mask
    return grads


# --- ONNX export ---------------------------------------------------------------------------

def to_onnx(head: Head, path: Path, int8: bool = True) -> Path:
    """Write ``x`` [N, D] -> ``probs`` [N, C]: (x - mean) / std, layers, Softmax."""
    from onnx import TensorProto, helper

    from assistant.training import onnxgraph

    nodes, inits = [], []
    for name, arr in (("mean", head.mean), ("std", head.std)):
        n, i = onnxgraph.weight(name, arr, False)
        nodes += n
        inits += i
    nodes += [helper.make_node("Sub", ["x", "mean"], ["xc"]),
              helper.make_node("Div", ["xc", "std"], ["h0"])]
    cur = "h0"
    for k, (w, b) in enumerate(head.layers):
        for name, arr, q in ((f"W{k}", w, int8), (f"b{k}", b, False)):
            n, i = onnxgraph.weight(name, arr, q)
            nodes += n
            inits += i
        nodes += [helper.make_node("MatMul", [cur, f"W{k}"], [f"m{k}"]),
                  helper.make_node("Add", [f"m{k}", f"b{k}"], [f"z{k}"])]
        cur = f"z{k}"
        if k < len(head.layers) - 1:
            nodes.append(helper.make_node("Relu", [cur], [f"r{k}"]))
            cur = f"r{k}"
    nodes.append(helper.make_node("Softmax", [cur], ["probs"], axis=-1))
    d_in = head.layers[0][0].shape[0]
    return onnxgraph.save(
        nodes, inits, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", d_in])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", len(head.labels)])],
        path, "hearth_head",
    )


def from_onnx(path: Path, labels: list[str]) -> Head:
    """The head stored in ``path`` (int8 weights come back dequantized), for warm starts."""
    from assistant.training import onnxgraph

    w = onnxgraph.read_weights(path)
    n = sum(1 for k in w if k.startswith("W"))
    return Head(list(labels), w["mean"], w["std"], [(w[f"W{k}"], w[f"b{k}"]) for k in range(n)])
