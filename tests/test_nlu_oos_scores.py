"""The out-of-scope scores benchmarks/nlu.py compares (benchmarks/out_of_scope.py): read off the
real shipped graph, and the threshold arithmetic on cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from bench_helpers import bench_module

from assistant.paths import REPO_MODELS
from assistant.training.datasets import Example
from assistant.understanding.intents import OUT_OF_SCOPE
from assistant.understanding.modelfiles import ModelSpec
from assistant.understanding.nlu import NluModel

SHIPPED = REPO_MODELS / "hearth-nlu"
SENTENCES = [["set", "a", "timer", "for", "ten", "minutes"], ["what", "time", "is", "it"],
             ["how", "do", "i", "file", "my", "taxes"], ["add", "milk", "to", "the", "shopping", "list"]]


@pytest.fixture(scope="module")
def oos():  # noqa: ANN201
    return bench_module("out_of_scope")


def test_the_exposed_graph_gives_the_shipped_probabilities_and_what_is_under_them(oos) -> None:  # noqa: ANN001
    graph = oos.Exposed(SHIPPED, threads=1)
    x = graph.inside(SENTENCES)
    probs, _ = NluModel(SHIPPED, threads=1).run(SENTENCES)
    np.testing.assert_array_equal(x.probs, probs)
    z = x.logits - x.logits.max(axis=1, keepdims=True)
    np.testing.assert_allclose(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), probs, atol=1e-5)
    assert x.pooled.shape == (4, 384) and np.all(np.isfinite(x.pooled))
    assert graph.labels == ModelSpec.read(SHIPPED).intent_labels
    e = oos.energy(x, graph.labels)
    assert e.shape == (4,) and e[0] > e[2]  # a timer command is more in scope than tax advice


def test_distance_is_zero_at_an_intents_mean_and_grows_away_from_it(oos) -> None:  # noqa: ANN001
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, (200, 3)) + [5, 0, 0], rng.normal(0, 1, (200, 3)) - [5, 0, 0]
    d = oos.Distance(np.concatenate([a, b]), ["timer_set"] * 200 + ["weather_query"] * 200)
    s = d.score(np.stack([a.mean(axis=0), b.mean(axis=0), [0, 0, 0], [0, 30, 0]]))
    assert s[0] == pytest.approx(0, abs=1e-9) and s[1] == pytest.approx(0, abs=1e-9)
    assert s[3] < s[2] < -1
    np.testing.assert_allclose(d.score(np.concatenate([a, b]), chunk=7), d.score(np.concatenate([a, b])))


def test_thresholds_on_a_case_worked_by_hand(oos) -> None:  # noqa: ANN001
    o = OUT_OF_SCOPE
    gold = ["a", "a", "b", "b", o, o, o, o]
    pred = ["a", "a", "b", "a", "a", "a", o, "b"]  # 3 of 4 in scope right, 1 of 4 rejected
    score = np.array([0.9, 0.3, 0.8, 0.7, 0.2, 0.6, 0.1, 0.4])
    assert oos.rates(gold, pred) == (0.75, 0.25)
    assert oos.rates(gold, oos.reject(pred, score, 0.5)) == (0.5, 0.75)  # drops right "a" at 0.3, rejects 0.2 and 0.4
    assert oos.choose(gold, pred, score, max_drop=0.0) == pytest.approx(0.3)  # 0.3 still keeps all three
    assert oos.choose(gold, pred, score, max_drop=0.25) == pytest.approx(0.8)  # two of four kept
    assert oos.at_rejection(gold, pred, score, want=1.0) == 0.5  # needs a threshold above 0.6
    assert oos.auroc(gold, score) == pytest.approx(14 / 16)  # pairs where in scope scores higher
    # what the classes already reject ranks last, whatever its score
    assert oos.Judged(["a", o], ["a", o], np.array([0.1, 0.9]), -np.inf).row()["auroc"] == 1.0


def test_judge_reports_every_method_with_its_own_threshold(oos) -> None:  # noqa: ANN001
    def ex(words: str, intent: str) -> Example:
        return Example(words.split(), intent, None, "test")

    train = [ex("set a timer for five minutes", "timer_set"), ex("start a timer for an hour", "timer_set"),
             ex("what's the weather like", "weather_query"), ex("will it rain today", "weather_query")]
    test = [ex("set a timer for ten minutes", "timer_set"), ex("how do i file my taxes", OUT_OF_SCOPE)]
    judged = oos.judge(SHIPPED, train, train, {"kitchen": test, "again": test}, oos.WITH_CLASSES)
    assert set(judged) == {"kitchen", "again"}
    for per in judged.values():
        assert set(per) == set(oos.WITH_CLASSES)
        for name, j in per.items():
            row = j.row()
            assert row["n"] == 2
            assert ("auroc" in row) == (oos.METHODS[name][1] is not None)
        assert per["classes only"].decisions()[0] == "timer_set"
    # the confidence threshold is the model's own
    assert judged["kitchen"]["classes + threshold"].threshold == ModelSpec.read(SHIPPED).threshold
