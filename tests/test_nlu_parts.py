"""Unit tests of the NLU building blocks on small made-up data (the real model: test_nlu_model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from assistant.training import heads, lexical
from assistant.training.datasets import parse_annotation
from assistant.training.metrics import oos_scores, span_f1
from assistant.training.train import fit_transitions
from assistant.understanding import decode, ngrams
from assistant.understanding.tagging import (
    spans,
    viterbi,
    window_features,
)
from assistant.understanding.text import split_words


def test_split_words_keeps_inner_punctuation() -> None:
    w = split_words("Set a timer, for 5:30 -- don't!")
    assert w.words == ("set", "a", "timer", "for", "5:30", "--", "don't")
    assert w.word_span(w.text.index("5:30"), w.text.index("5:30") + 4) == (4, 5)


def test_parse_annotation_to_bio() -> None:
    words, tags = parse_annotation("wake me at [time : six am] [date : tomorrow]")
    assert words == ("wake", "me", "at", "six", "am", "tomorrow")
    assert tags == ("O", "O", "O", "B-time", "I-time", "B-date")
    words, tags = parse_annotation("broken [time : six")
    assert set(tags) == {"O"} and "six" in words


def _toy(n: int = 90, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    x = rng.normal(0, 0.3, (n, 8)).astype(np.float32)
    x[np.arange(n), y] += 2.0
    return x, y


@pytest.mark.parametrize("hidden", [0, 16])
def test_head_learns_and_exports(tmp_path: Path, hidden: int) -> None:
    x, y = _toy()
    h = heads.fit_head(x, y, ["a", "b", "c"], hidden=hidden, epochs=40, batch=16, progress=False)
    assert (h.proba(x).argmax(1) == y).mean() > 0.95
    for int8 in (False, True):
        path = heads.to_onnx(h, tmp_path / f"h{int8}.onnx", int8=int8)
        (p,) = ort.InferenceSession(str(path)).run(None, {"x": x})
        assert np.abs(p - h.proba(x)).max() < (0.05 if int8 else 1e-5)
        back = heads.from_onnx(path, h.labels)
        assert (back.proba(x).argmax(1) == h.proba(x).argmax(1)).mean() > 0.97


def test_warm_start_keeps_old_labels_and_learns_new() -> None:
    x, y = _toy()
    old = heads.fit_head(x[y < 2], y[y < 2], ["a", "b"], epochs=40, batch=16, progress=False)
    new = heads.fit_head(x, y, ["a", "b", "c"], init=old, epochs=20, batch=16, progress=False)
    pred = new.proba(x).argmax(1)
    assert (pred == y).mean() > 0.9
    assert new.labels == ["a", "b", "c"]


def test_lexical_model_and_onnx_match(tmp_path: Path) -> None:
    texts = ["set a timer", "turn on the lights", "what time is it", "play some music"] * 6
    rows = [ngrams.sentence_ngrams(t.split()) for t in texts]
    y = np.arange(len(texts)) % 4
    lx = lexical.fit_lexical(rows, y, list("abcd"), buckets=4096, dim=8, epochs=30, progress=False)
    assert (lx.proba(rows).argmax(1) == y).all()
    probe = [ngrams.sentence_ngrams(t.split()) for t in ["start a timer", "lights on"]]
    assert list(lx.proba(probe).argmax(1)) == [0, 1]
    for int8 in (False, True):
        path = lexical.to_onnx(lx, tmp_path / f"l{int8}.onnx", int8=int8)
        ids, tf = ngrams.padded_inputs(rows[:4], lx.buckets)
        (logits,) = ort.InferenceSession(str(path)).run(None, {"ids": ids, "tf": tf})
        assert np.abs(logits - lx.logits(rows[:4])).max() < (0.05 if int8 else 1e-4)
    back = lexical.from_onnx(tmp_path / "lTrue.onnx", lx.labels)
    assert (back.proba(rows).argmax(1) == y).all()


def test_hashing_is_stable() -> None:
    assert list(ngrams.hash_ids(["w:timer", "b:a b"], 1 << 16)) == [
        int(v) for v in ngrams.hash_ids(["w:timer", "b:a b"], 1 << 16)]
    import zlib

    assert ngrams.hash_ids(["w:timer"], 1000)[0] == zlib.crc32(b"w:timer") % 1000


def test_viterbi_obeys_bio() -> None:
    labels = ["B-x", "I-x", "I-y", "O"]
    t = fit_transitions([[0, 1, 3], [3, 0, 1]], labels)
    # per-word softmax would say I-y after O: not allowed
    logp = np.log(np.array([[0.1, 0.1, 0.1, 0.7], [0.05, 0.05, 0.8, 0.1], [0.1, 0.1, 0.1, 0.7]]))
    tags = [labels[i] for i in viterbi(logp, t)]
    assert "I-y" not in tags and tags[0] == "O"
    assert not np.isfinite(t.trans[3, 1])  # O -> I-x forbidden


def test_spans_and_confidence() -> None:
    found = spans(["O", "B-duration", "I-duration", "B-name", "O"], np.array([1, 0.8, 0.6, 0.9, 1]))
    assert [(s.name, s.start, s.end) for s in found] == [("duration", 1, 3), ("name", 3, 4)]
    assert found[0].confidence == pytest.approx(0.7)


def test_decode_tags_keeps_spans_and_fixes_types() -> None:
    labels = ["B-fact", "I-fact", "B-query", "I-query", "B-date", "O"]
    t = fit_transitions([[0, 1, 5], [2, 3, 5], [4, 5]], labels)
    # "my car" looks like a fact, a little like a query; "tomorrow" is a date
    p = np.array([[0.6, 0.0, 0.35, 0.0, 0.0, 0.05],
                  [0.0, 0.6, 0.0, 0.3, 0.0, 0.1],
                  [0.0, 0.0, 0.0, 0.0, 0.9, 0.1]])
    logp = np.log(p + 1e-9)
    words = ("my", "car", "tomorrow")
    assert [(s.name, s.start, s.end, s.text) for s in decode.decode_tags(
        logp, labels, t, None, 0.0, words=words)] == [("fact", 0, 2, "my car"),
                                                      ("date", 2, 3, "tomorrow")]
    found = decode.decode_tags(logp, labels, t, ("query",), 0.0)
    assert [(s.name, s.start, s.end) for s in found] == [("query", 0, 2)]  # relabelled; no date
    assert found[0].confidence == pytest.approx(0.325, abs=1e-3)
    assert decode.decode_tags(logp, labels, t, (), 0.0) == []


def test_decide_folds_aux_and_applies_threshold() -> None:
    labels = ["aux:email", "aux:taxi", "out_of_scope", "timer_set", "alarm_set"]
    intent, conf, alts = decode.decide(np.array([0.05, 0.05, 0.0, 0.5, 0.4]), labels, 0.3)
    assert intent == "timer_set" and conf == 0.5
    assert alts[0] == ("alarm_set", 0.4) and ("out_of_scope", 0.1) in alts
    intent, conf, alts = decode.decide(np.array([0.05, 0.05, 0.0, 0.5, 0.4]), labels, 0.6)
    assert intent == "out_of_scope" and conf == 0.5 and alts[0][0] == "timer_set"
    intent, _, _ = decode.decide(np.array([0.3, 0.3, 0.0, 0.25, 0.15]), labels, 0.0)
    assert intent == "out_of_scope"


def test_window_features_shape() -> None:
    f = window_features(np.ones((3, 4), np.float32))
    assert f.shape == (3, 14)
    assert f[0, 4:8].sum() == 0 and f[2, 8:12].sum() == 0  # no neighbour past the ends
    assert window_features(np.zeros((0, 4), np.float32)).shape == (0, 14)


def test_metrics() -> None:
    gold = [["B-a", "I-a", "O"], ["O", "B-b"]]
    assert span_f1(gold, gold)["f1"] == 1.0
    assert span_f1(gold, [["B-a", "O", "O"], ["O", "B-b"]])["f1"] == pytest.approx(0.5)
    s = oos_scores(["x", "oos", "oos", "y"], ["x", "oos", "y", "oos"], "oos")
    assert s["in_scope_accuracy"] == 0.5 and s["oos_recall"] == 0.5
