"""Unit tests of the NLU building blocks on small made-up data (the real model: test_nlu_model)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.training.datasets import parse_annotation
from assistant.training.metrics import oos_scores, span_f1
from assistant.training.train import choose_threshold, fit_transitions, temperature
from assistant.understanding import decode
from assistant.understanding.tagging import spans, viterbi
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


def test_metrics() -> None:
    gold = [["B-a", "I-a", "O"], ["O", "B-b"]]
    assert span_f1(gold, gold)["f1"] == 1.0
    assert span_f1(gold, [["B-a", "O", "O"], ["O", "B-b"]])["f1"] == pytest.approx(0.5)
    s = oos_scores(["x", "oos", "oos", "y"], ["x", "oos", "y", "oos"], "oos")
    assert s["in_scope_accuracy"] == 0.5 and s["oos_recall"] == 0.5


def test_temperature_fits_an_overconfident_model() -> None:
    """Right 60% of the time but always 99% sure: a temperature above 1 calibrates it."""
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 4, 500)
    pred = np.where(rng.random(500) < 0.6, gold, (gold + 1) % 4)
    probs = np.full((500, 4), 0.01 / 3)
    probs[np.arange(500), pred] = 0.99
    assert temperature(probs, gold) > 1.5
    assert temperature(np.eye(4)[gold] * 0.97 + 0.01, gold) <= 1.0


def test_threshold_trades_at_most_one_point_of_in_scope_accuracy() -> None:
    labels = ["a", "b", "out_of_scope"]
    probs = np.array([[0.9, 0.05, 0.05], [0.45, 0.35, 0.2], [0.4, 0.3, 0.3], [0.2, 0.1, 0.7]])
    thr, s = choose_threshold(probs, labels, ["a", "a", "out_of_scope", "out_of_scope"])
    assert 0.4 < thr <= 0.45 and s["oos_recall"] == 1.0 and s["in_scope_accuracy"] == 1.0
