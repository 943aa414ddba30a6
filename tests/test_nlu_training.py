"""The training API the personalization room builds on: train, export, load, warm-start.

Runs the real encoder on a small slice of the templated data (seconds, not the full recipe).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.training import train
from assistant.training.datasets import Example, Splits
from assistant.training.features import FeatureCache
from assistant.training.synth import generate
from assistant.understanding.nlu import NluUnderstander

INTENTS = ("timer_set", "timer_cancel", "list_add", "alarm_set", "memory_remember")


@pytest.fixture(scope="module")
def small() -> Splits:
    data = [e for e in generate(per_template=3) if e.intent in INTENTS]
    train_part, val = train.holdout(data, 0.2, 0)
    return Splits(train=train_part, val=val, test=val)


@pytest.fixture(scope="module")
def trained(small: Splits, tmp_path_factory: pytest.TempPathFactory) -> tuple[train.Heads, Path]:
    heads = train.train_heads(small, epochs_scale=1.0, progress=False)
    out = tmp_path_factory.mktemp("nlu")
    train.export(heads, out)
    return heads, out


def test_trained_heads_fit_their_data(small: Splits, trained: tuple[train.Heads, Path]) -> None:
    heads, _ = trained
    m = train.evaluate(heads, small.train)["all"]
    assert m["accuracy"] > 0.9 and m["slot_f1"] > 0.8


def test_export_load_round_trip(small: Splits, trained: tuple[train.Heads, Path]) -> None:
    heads, out = trained
    loaded = train.load_heads(out)
    assert loaded.intent.labels == heads.intent.labels
    assert loaded.threshold == heads.threshold
    a = train.predict(heads, small.val)
    b = train.predict(loaded, small.val)
    assert np.mean([x == y for x, y in zip(a[0], b[0], strict=True)]) >= 0.99  # int8 vs fp32


def test_exported_folder_runs_in_the_runtime(trained: tuple[train.Heads, Path]) -> None:
    _, out = trained
    u = NluUnderstander(out).parse("start a timer for twelve minutes")
    assert u.intent == "timer_set"
    assert u.slot("duration") is not None


def test_warm_start_adds_a_user_intent(small: Splits, trained: tuple[train.Heads, Path]) -> None:
    """Nightly fine-tuning: old heads as init, user examples of a new intent plus replay."""
    _, out = trained
    base = train.load_heads(out)
    phrases = ["feed the fish", "did you feed the fish", "fish food time", "time to feed the fish",
               "the fish are hungry", "give the fish some food"]
    user = [Example(tuple(p.split()), "aux:feed_fish", None, "user", "feed_fish") for p in phrases]
    ds = Splits(train=small.train + user * 3, val=small.val)
    tuned = train.train_heads(ds, init=base, epochs_scale=0.5, progress=False)
    assert "aux:feed_fish" in tuned.intent.labels
    assert set(base.intent.labels) <= set(tuned.intent.labels)
    f = train.featurize(small.val, progress=False)
    probs = tuned.intent.proba(f, small.val)
    pred = [tuned.intent.labels[i] for i in probs.argmax(1)]
    assert np.mean([p == e.intent for p, e in zip(pred, small.val, strict=True)]) > 0.85


def test_feature_cache_hits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: Splits) -> None:
    monkeypatch.setenv("HEARTH_CACHE_DIR", str(tmp_path))
    ex = small.val[:5] + [replace(small.val[0], words=("brand", "new", "words"))]
    first = train.featurize(ex, progress=False)
    shards = list(tmp_path.rglob("*.npz"))
    assert len(shards) == 1
    model_dirs = [p for p in (tmp_path / "features").iterdir()]
    cache = FeatureCache("x" * 16, tmp_path / "features")  # other encoder id: empty
    assert not cache.index and len(model_dirs) == 1
    second = train.featurize(ex, progress=False)
    assert len(list(tmp_path.rglob("*.npz"))) == 1  # nothing recomputed
    assert np.allclose(first.pooled, second.pooled)
    assert all(np.allclose(a, b, atol=1e-2) for a, b in zip(first.words, second.words, strict=True))
