"""The hand-written kitchen set stays well formed, and the benchmark's template-coverage split
counts what it says (benchmarks/kitchen.py, benchmarks/nlu.py)."""

from __future__ import annotations

import re

from bench_helpers import bench_module

from assistant.training.datasets import Example, parse_annotation
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE


def _example(intent: str, style: str, annotated: str) -> Example:
    words, tags = parse_annotation(annotated)
    return Example(words, intent, tags, "kitchen", style, tags)


def test_every_line_is_a_known_intent_style_and_slot() -> None:
    kitchen = bench_module("kitchen")
    text = kitchen.KITCHEN.read_text(encoding="utf-8")
    styles = set(re.search(r"^# Styles: (.*)\.$", text, re.M).group(1).split(", "))  # type: ignore[union-attr]
    examples = kitchen.load()
    assert len(examples) >= 600
    lines = [x for x in text.splitlines() if x.strip() and not x.startswith("#")]
    assert len(lines) == len(examples)
    seen: set[str] = set()
    for line, e in zip(lines, examples, strict=True):
        assert ("[" in line) == any(t != "O" for t in e.tags), line  # no bracket read as words
        assert e.intent in INTENTS, e.text
        assert e.native in styles, (e.native, e.text)
        names = {t[2:] for t in e.tags if t != "O"}
        assert names <= set(INTENTS[e.intent][0]), (e.intent, names, e.text)
        assert e.text not in seen, e.text
        seen.add(e.text)
    assert sum(e.native == kitchen.TERSE for e in examples) >= 150
    assert sum(e.intent == OUT_OF_SCOPE for e in examples) >= 0.12 * len(examples)


def test_template_coverage_and_the_split_scores() -> None:
    kitchen = bench_module("kitchen")
    nlu = bench_module("nlu")
    ex = [_example("timer_set", "plain", "set a timer for [duration : ten minutes]"),
          _example("timer_set", "terse", "timer [name : pasta] [duration : 12 min]"),
          _example(OUT_OF_SCOPE, "terse", "uber to the station")]
    assert kitchen.template_intents(ex) == ["timer_set", None, None]
    assert nlu.covered_mask(ex) == [True, False, False]
    assert kitchen.verbatim(ex, ["uber to the station"]) == [False, False, True]
    intents = ["timer_set", "timer_set", "timer_set"]
    tags = [list(ex[0].tags), ["O", "O", "B-duration", "I-duration"], ["O"] * 4]
    rows = nlu.subset_scores(ex, intents, tags, [False, True, True])
    assert (rows["n"], rows["n_in_scope"], rows["n_oos"]) == (2, 1, 1)
    assert rows["in_scope_acc"] == 1.0 and rows["oos_rejected"] == 0.0 and rows["exact"] == 0.0
    covered = nlu.subset_scores(ex, intents, tags, [True, False, False])
    assert covered["exact"] == 1.0 and "oos_rejected" not in covered
