"""Training the fastText-style model of hashed n-grams: the lexical half of Hearth's NLU and a
baseline (features in ``understanding/ngrams.py``).

Why: frozen MiniLM vectors blur exact words ("timer" vs "alarm", a band name in SNIPS), while
bags of hashed word and character n-grams keep them. On CLINC150 the two err on different
utterances, so adding their log-probabilities beats either alone (numbers in MODEL_CARD.md).
Sentences use word 1-2-grams and character 3-5-grams; words (for slot tagging) use the word,
its neighbours, affixes and shape. Features are hashed with crc32 (stable across runs) into
``buckets``, weighted tf-idf, L2-normalized, averaged through an embedding table E [B, d] and
classified by V [d, C] + b. Training is sparse Adam in numpy (only touched rows of E move).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.understanding.decode import softmax
from assistant.understanding.ngrams import hash_ids


@dataclass
class LexicalHead:
    """Hashed n-gram classifier: idf [B], E [B, d], V [d, C], b [C]."""

    labels: list[str]
    buckets: int
    idf: np.ndarray
    emb: np.ndarray
    out: np.ndarray
    bias: np.ndarray

    def bag(self, feats: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unique ids and their tf-idf weights (sublinear tf, L2-normalized)."""
        return bag(feats, self.buckets, self.idf)

    def logits(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        x = _matrix(rows, self.buckets, self.idf)
        return (x @ self.emb) @ self.out + self.bias

    def proba(self, rows: Sequence[Sequence[str]]) -> np.ndarray:
        return softmax(self.logits(rows))


def bag(feats: Sequence[str], buckets: int, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = hash_ids(feats, buckets)
    if not len(ids):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    uniq, counts = np.unique(ids, return_counts=True)
    vals = (1.0 + np.log(counts)) * idf[uniq]
    norm = np.linalg.norm(vals)
    return uniq, (vals / norm if norm > 0 else vals).astype(np.float32)


def _matrix(rows: Sequence[Sequence[str]], buckets: int, idf: np.ndarray):  # -> csr_matrix
    from scipy.sparse import csr_matrix

    indptr, indices, data = [0], [], []
    for feats in rows:
        ids, vals = bag(feats, buckets, idf)
        indices.append(ids)
        data.append(vals)
        indptr.append(indptr[-1] + len(ids))
    return csr_matrix(
        (np.concatenate(data) if data else np.zeros(0, np.float32),
         np.concatenate(indices) if indices else np.zeros(0, np.int64), np.array(indptr)),
        shape=(len(rows), buckets), dtype=np.float32,
    )


def fit_lexical(
    rows: Sequence[Sequence[str]], y: np.ndarray, labels: list[str], *, buckets: int = 1 << 16,
    dim: int = 96, epochs: int = 20, lr: float = 3e-3, l2: float = 1e-6, batch: int = 128,
    sample_weight: np.ndarray | None = None, init: LexicalHead | None = None, seed: int = 0,
    desc: str = "lexical", progress: bool = True,
) -> LexicalHead:
    """Train with cross-entropy and lazy (touched-rows-only) Adam; ``init`` warm-starts."""
    from tqdm import tqdm

    rng = np.random.default_rng(seed)
    if init is not None:
        buckets, idf = init.buckets, init.idf
        emb = init.emb.copy()
        out = np.zeros((init.out.shape[0], len(labels)), np.float32)
        bias = np.full(len(labels), init.bias.min(), np.float32)
        pos = {lab: i for i, lab in enumerate(init.labels)}
        for j, lab in enumerate(labels):
            if lab in pos:
                out[:, j], bias[j] = init.out[:, pos[lab]], init.bias[pos[lab]]
    else:
        df = np.zeros(buckets)
        for feats in rows:
            df[np.unique(hash_ids(feats, buckets))] += 1
        idf = np.log((1 + len(rows)) / (1 + df)).astype(np.float32) + 1.0
        emb = rng.normal(0, 0.1, (buckets, dim)).astype(np.float32)
        out = rng.normal(0, np.sqrt(1.0 / dim), (dim, len(labels))).astype(np.float32)
        bias = np.zeros(len(labels), np.float32)
    x = _matrix(rows, buckets, idf)
    sw = np.ones(len(y), np.float32) if sample_weight is None else sample_weight.astype(np.float32)
    me, ve = np.zeros_like(emb), np.zeros_like(emb)
    dense = [out, bias]
    md = [np.zeros_like(p) for p in dense]
    vd = [np.zeros_like(p) for p in dense]
    t = 0
    b1, b2 = 0.9, 0.999
    for _ in tqdm(range(epochs), desc=desc, unit="epoch", disable=not progress):
        order = rng.permutation(len(y))
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            xb = x[idx]
            h = xb @ emb
            p = softmax(h @ out + bias)
            p[np.arange(len(idx)), y[idx]] -= 1.0
            d = p * (sw[idx] / sw[idx].sum())[:, None]
            g_out, g_bias = h.T @ d + l2 * out, d.sum(axis=0)
            dh = d @ out.T
            rows_touched = np.unique(xb.indices)
            g_emb = (xb.T @ dh)[rows_touched] + l2 * emb[rows_touched]
            t += 1
            c1, c2 = 1 - b1**t, 1 - b2**t
            for i, (prm, g) in enumerate(zip(dense, (g_out, g_bias), strict=True)):
                md[i] = b1 * md[i] + (1 - b1) * g
                vd[i] = b2 * vd[i] + (1 - b2) * g * g
                prm -= lr * (md[i] / c1) / (np.sqrt(vd[i] / c2) + 1e-8)
            me[rows_touched] = b1 * me[rows_touched] + (1 - b1) * g_emb
            ve[rows_touched] = b2 * ve[rows_touched] + (1 - b2) * g_emb * g_emb
            emb[rows_touched] -= lr * (me[rows_touched] / c1) / (np.sqrt(ve[rows_touched] / c2) + 1e-8)
    return LexicalHead(list(labels), buckets, idf, emb, out, bias)


def to_onnx(head: LexicalHead, path: Path, int8: bool = True) -> Path:
    """``ids`` [N, K] int64 + ``tf`` [N, K] -> ``logits`` [N, C]; pad with id 0, tf 0.

    ``tf`` is the sublinear term frequency (1 + log count); the graph applies the idf,
    L2-normalizes, averages the embedding rows and applies the linear layer.
    """
    from onnx import TensorProto, helper, numpy_helper

    from assistant.training import onnxgraph

    nodes: list = []
    inits = [numpy_helper.from_array(np.array([1], np.int64), "axes1"),
             numpy_helper.from_array(np.array([2], np.int64), "axes2"),
             numpy_helper.from_array(np.array(1e-12, np.float32), "eps")]
    for name, arr, q in (("idf", head.idf, False), ("V", head.out, int8), ("b", head.bias, False)):
        n, i = onnxgraph.weight(name, arr, q)
        nodes += n
        inits += i
    rows_nodes, rows_inits = onnxgraph.gather_rows("E", head.emb, "ids", "rows", int8)
    inits += rows_inits
    nodes += [
        helper.make_node("Gather", ["idf", "ids"], ["idf_k"], axis=0),
        helper.make_node("Mul", ["tf", "idf_k"], ["w"]),
        helper.make_node("Mul", ["w", "w"], ["w2"]),
        helper.make_node("ReduceSum", ["w2", "axes1"], ["ss"], keepdims=1),
        helper.make_node("Sqrt", ["ss"], ["norm"]),
        helper.make_node("Max", ["norm", "eps"], ["norm_safe"]),
        helper.make_node("Div", ["w", "norm_safe"], ["wn"]),
        helper.make_node("Unsqueeze", ["wn", "axes2"], ["wn3"]),
        *rows_nodes,
        helper.make_node("Mul", ["rows", "wn3"], ["weighted"]),
        helper.make_node("ReduceSum", ["weighted", "axes1"], ["h"], keepdims=0),
        helper.make_node("MatMul", ["h", "V"], ["hv"]),
        helper.make_node("Add", ["hv", "b"], ["logits"]),
    ]
    return onnxgraph.save(
        nodes, inits,
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["N", "K"]),
         helper.make_tensor_value_info("tf", TensorProto.FLOAT, ["N", "K"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", len(head.labels)])],
        path, "hearth_lexical",
    )


def from_onnx(path: Path, labels: list[str]) -> LexicalHead:
    """The head stored in ``path`` (int8 weights dequantized), for warm starts."""
    from assistant.training import onnxgraph

    w = onnxgraph.read_weights(path)
    return LexicalHead(list(labels), int(w["E"].shape[0]), w["idf"], w["E"], w["V"], w["b"])
