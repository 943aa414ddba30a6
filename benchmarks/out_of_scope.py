"""Out-of-scope scores read off the joint model's inside, for ``benchmarks/nlu.py``'s comparison.

The shipped graph gives only probabilities; two scores from the out-of-distribution literature
need what comes before them, so this opens the same graph with two more outputs:

- **energy** (Liu et al. 2020): ``logsumexp`` of the in-scope intents' logits. Softmax throws
  away how strongly the model recognises anything at all; the energy keeps it.
- **distance** (Lee et al. 2018; Podolskiy et al. 2021): Mahalanobis distance from the pooled
  sentence vector to the nearest in-scope intent's mean, one covariance shared by all intents,
  fitted on the model's own training sentences.

Higher score = more in scope for every score here. :func:`choose` picks a threshold on
validation the way ``train.choose_threshold`` does for the shipped confidence threshold (the
largest that costs at most one point of in-scope accuracy), and :func:`at_rejection` gives the
in-scope accuracy a score keeps at a given out-of-scope rejection on a test set: an oracle
operating point, for comparing scores only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

from assistant.onnx_session import open_session
from assistant.training.datasets import Example
from assistant.training.metrics import oos_scores
from assistant.training.train import MAX_IN_SCOPE_DROP
from assistant.understanding.decode import decide_all
from assistant.understanding.intents import OUT_OF_SCOPE, fold_aux
from assistant.understanding.modelfiles import FILES
from assistant.understanding.nlu import NluModel

SHRINK = 0.1  # covariance shrinkage toward its diagonal: 384 dimensions, some intents have ~50 sentences


@dataclass
class Inside:
    """Per utterance: intent probabilities, the logits under them and the pooled vector."""

    probs: np.ndarray
    logits: np.ndarray
    pooled: np.ndarray


def _exposed(model_file: Path, out: Path) -> tuple[str, str]:
    """Save the graph with the intent layer's output (logits) and input (pooled) as outputs
    too; their tensor names."""
    m = onnx.load(str(model_file))
    made = {o: n for n in m.graph.node for o in n.output}
    softmax = made["intent_probs"]
    logits = softmax.input[0]
    matmul = made[made[logits].input[0]]
    for name in (logits, matmul.input[0]):
        m.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    onnx.save(m, str(out))
    return logits, matmul.input[0]


class Exposed:
    """A model folder's graph, opened once with logits and pooled as outputs too."""

    def __init__(self, folder: Path, threads: int = 2) -> None:
        self.model = NluModel(folder, threads)
        self.labels = self.model.spec.intent_labels
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "exposed.onnx"
            self.names = _exposed(folder / FILES["model"], path)
            self.session = open_session(path, threads, spin=False)

    def inside(self, utterances: Sequence[Sequence[str]]) -> Inside:
        """Run the graph on non-empty word lists, keeping logits and pooled."""
        n = len(utterances)
        probs = np.zeros((n, len(self.labels)), np.float32)
        logits = np.zeros_like(probs)
        pooled = np.zeros((n, 0), np.float32)
        for idx, inputs in self.model.batches(utterances):
            p, lg, pl = self.session.run(["intent_probs", *self.names], inputs.feed())
            if not pooled.size:
                pooled = np.zeros((n, pl.shape[1]), np.float32)
            probs[idx], logits[idx], pooled[idx] = p, lg, pl
        return Inside(probs, logits, pooled)


def in_scope_columns(labels: Sequence[str]) -> np.ndarray:
    """Which of a model's classes are in scope (not out_of_scope, not auxiliary)."""
    return np.array([fold_aux(lab) != OUT_OF_SCOPE for lab in labels])


def energy(x: Inside, labels: Sequence[str]) -> np.ndarray:
    """logsumexp of the in-scope logits."""
    z = x.logits[:, in_scope_columns(labels)].astype(np.float64)
    top = z.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(z - top).sum(axis=1, keepdims=True)))[:, 0]


class Distance:
    """Minus the Mahalanobis distance to the nearest in-scope intent's mean (tied covariance)."""

    def __init__(self, pooled: np.ndarray, intents: Sequence[str]) -> None:
        keep = [i for i, t in enumerate(intents) if fold_aux(t) != OUT_OF_SCOPE]
        x = pooled[keep].astype(np.float64)
        names = sorted({intents[i] for i in keep})
        which = np.array([names.index(intents[i]) for i in keep])
        self.means = np.stack([x[which == c].mean(axis=0) for c in range(len(names))])
        centred = x - self.means[which]
        cov = centred.T @ centred / len(x)
        cov = (1 - SHRINK) * cov + SHRINK * np.diag(np.diag(cov))
        self.precision = np.linalg.inv(cov)

    def score(self, pooled: np.ndarray, chunk: int = 256) -> np.ndarray:
        out = []
        for s in range(0, len(pooled), chunk):  # [chunk, C, H] at a time, not [N, C, H]
            d = pooled[s:s + chunk].astype(np.float64)[:, None, :] - self.means[None]
            out.append(-np.einsum("nch,hk,nck->nc", d, self.precision, d).min(axis=1))
        return np.concatenate(out) if out else np.zeros(0)


def in_scope_argmax(x: Inside, labels: Sequence[str]) -> list[str]:
    """The likeliest in-scope intent, whatever the out-of-scope classes say."""
    cols = np.flatnonzero(in_scope_columns(labels))
    return [labels[cols[i]] for i in x.probs[:, cols].argmax(axis=1)]


def gold_of(examples: Sequence[Example]) -> list[str]:
    return [fold_aux(e.intent) for e in examples]


def curve(gold: Sequence[str], pred: Sequence[str], score: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, in-scope accuracy, out-of-scope rejected) when ``score < threshold`` also
    rejects, at every threshold that changes something (-inf first: ``pred`` alone)."""
    gold, pred = np.asarray(gold), np.asarray(pred)
    ins, oos = gold != OUT_OF_SCOPE, gold == OUT_OF_SCOPE
    right = np.sort(score[ins & (pred == gold)])  # kept while score >= threshold
    let_in = np.sort(score[oos & (pred != OUT_OF_SCOPE)])  # rejected once score < threshold
    t = np.concatenate([[-np.inf], np.unique(score)])
    acc = (len(right) - np.searchsorted(right, t, "left")) / max(int(ins.sum()), 1)
    rej = (int(oos.sum()) - len(let_in) + np.searchsorted(let_in, t, "left")) / max(int(oos.sum()), 1)
    return t, acc, rej


def choose(gold: Sequence[str], pred: Sequence[str], score: np.ndarray,
           max_drop: float = MAX_IN_SCOPE_DROP) -> float:
    """The largest threshold on ``score`` whose in-scope accuracy on these (validation)
    sentences drops at most ``max_drop`` below what ``pred`` alone gets."""
    t, acc, _ = curve(gold, pred, score)
    return float(t[acc >= acc[0] - max_drop - 1e-12].max())


def reject(pred: Sequence[str], score: np.ndarray, threshold: float) -> list[str]:
    """``pred`` with what scores under ``threshold`` rejected as out of scope."""
    return [OUT_OF_SCOPE if x < threshold else p for p, x in zip(pred, score, strict=True)]


def rates(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """(in-scope accuracy, out-of-scope rejected)."""
    m = oos_scores(gold, pred, OUT_OF_SCOPE)
    return m["in_scope_accuracy"], m["oos_recall"]


def at_rejection(gold: Sequence[str], pred: Sequence[str], score: np.ndarray, want: float = 0.9
                 ) -> float | None:
    """The best in-scope accuracy among thresholds rejecting >= ``want`` of the out-of-scope
    sentences (None if none does): chosen on the test set itself, so only a comparison."""
    _, acc, rej = curve(gold, pred, score)
    ok = rej >= want - 1e-12
    return float(acc[ok].max()) if ok.any() else None


def auroc(gold: Sequence[str], score: np.ndarray) -> float:
    """Probability that an in-scope sentence scores above an out-of-scope one (ties half)."""
    ins = np.array([g != OUT_OF_SCOPE for g in gold])
    a, b = score[ins], score[~ins]
    if not len(a) or not len(b):
        return float("nan")
    _, inv, counts = np.unique(np.concatenate([a, b]), return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - counts + (counts + 1) / 2.0)[inv]  # mid-ranks for ties
    return float((ranks[: len(a)].sum() - len(a) * (len(a) + 1) / 2) / (len(a) * len(b)))


# --- the comparison -------------------------------------------------------------------------

METHODS = {  # name -> (the decision before the score, the score); None: no score
    "classes only": ("classes", None),
    "classes + threshold": ("classes", "threshold"),
    "classes + energy": ("classes", "energy"),
    "classes + distance": ("classes", "distance"),
    "energy only": ("in_scope", "energy"),
    "distance only": ("in_scope", "distance"),
    "threshold only": ("in_scope", "threshold"),
}
WITH_CLASSES = tuple(METHODS)[:6]  # a model trained with out-of-scope classes
NO_OOS_DATA = ("threshold only", "energy only", "distance only")  # a model without them


@dataclass
class Judged:
    """One method on one test set: the decisions before the score, the score, its threshold."""

    gold: list[str]
    pred: list[str]
    score: np.ndarray | None
    threshold: float

    def row(self) -> dict[str, float | int | None]:
        acc, rej = rates(self.gold, self.decisions())
        out: dict[str, float | int | None] = {"n": len(self.gold), "in_scope_acc": round(acc, 4),
                                              "oos_rejected": round(rej, 4)}
        if self.score is not None:
            out |= {"threshold": round(self.threshold, 3), "auroc": round(auroc(self.gold, self.effective()), 4),
                    "in_scope_at_90": at_rejection(self.gold, self.pred, self.score)}
        return out

    def effective(self) -> np.ndarray:
        """The score with what the decision before it rejects at the bottom, so methods
        compare whatever they are made of."""
        assert self.score is not None
        return np.where(np.asarray(self.pred) == OUT_OF_SCOPE, -np.inf, self.score)

    def decisions(self) -> list[str]:
        return self.pred if self.score is None else reject(self.pred, self.score, self.threshold)


def judge(folder: Path, train_ex: Sequence[Example], val: Sequence[Example],
          tests: dict[str, Sequence[Example]], methods: Sequence[str]) -> dict[str, dict[str, Judged]]:
    """Each method on each test set, its threshold chosen on ``val`` (the confidence threshold
    is the model's own, chosen the same way when it was trained). One pass of the model over
    the training, validation and test sentences serves every method."""
    assert "val" not in tests, "a test set named like the validation set"
    graph = Exposed(folder)
    labels = graph.labels
    in_scope = [e for e in train_ex if fold_aux(e.intent) != OUT_OF_SCOPE]
    xs = {k: graph.inside([e.words for e in part]) for k, part in (("val", val), *tests.items())}
    dist = Distance(graph.inside([e.words for e in in_scope]).pooled, [e.intent for e in in_scope])
    scores = {"energy": lambda x: energy(x, labels), "distance": lambda x: dist.score(x.pooled),
              "threshold": lambda x: x.probs.max(axis=1)}
    before = {"classes": lambda x: decide_all(x.probs, labels, 0.0), "in_scope": lambda x: in_scope_argmax(x, labels)}
    out: dict[str, dict[str, Judged]] = {name: {} for name in tests}
    for method in methods:
        first, score = METHODS[method]
        pred = {k: [fold_aux(p) for p in before[first](x)] for k, x in xs.items()}
        s = {k: scores[score](x) for k, x in xs.items()} if score else {}
        thr = (graph.model.spec.threshold if score == "threshold" else
               choose(gold_of(val), pred["val"], s["val"]) if score else -np.inf)
        for name, test in tests.items():
            out[name][method] = Judged(gold_of(test), pred[name], s.get(name), thr)
    return out
