"""The nightly job with the real model and training: promotion, refusal, rollback, crash.

Smaller base subsets than the nightly defaults keep this under a minute; the household comes
from ``personalize.simulate`` talking to the real shipped model.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import Config, HistoryConfig
from assistant.events import Reply, Transcript, Turn, Understanding
from assistant.files import read_json
from assistant.history.store import HistoryRecorder
from assistant.household import versions
from assistant.household.understander import HouseholdUnderstander
from assistant.household.words import load
from assistant.store import Store
from assistant.understanding.intents import INTENTS
from personalize import job, model, simulate

SMALL = {"REPLAY": 1200, "TEST": 1200}
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One feature store for the module: the base subsets are encoded once."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture()
def env(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HEARTH_CACHE_DIR", str(cache_dir))
    for k, v in SMALL.items():
        monkeypatch.setattr(model, k, v)
    yield tmp_path / "data"


@pytest.fixture(scope="module")
def shipped() -> simulate.Parse:
    return model.load_understander(versions.shipped_model_dir()).parse


def live_household(days: int, store: Store, parse: simulate.Parse, seed: int = 1) -> None:
    """A few days of the simulated household, recorded in ``store``."""
    house = simulate.Household(seed=seed)
    rec = HistoryRecorder(store, HistoryConfig(), clock=house.clock)
    for _ in range(days):
        for turn in house.day(parse, simulate.default_respond, requests=50):
            rec.record(turn)


def folder_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def test_promotes_a_better_model_and_rolls_back(env: Path, shipped: simulate.Parse) -> None:
    store = Store(env / "hearth.db")
    live_household(2, store, shipped)
    report = job.run(Config(), store, progress=False)
    assert report["result"] == "promoted", report
    assert report["counts"]["rephrase"] + report["counts"]["correction"] > 0
    m = report["metrics"]
    assert m["household_new"]["accuracy"] > m["household_live"]["accuracy"]
    assert 100 * (m["base_reference"]["accuracy"] - m["base_new"]["accuracy"]) <= 0.5
    assert versions.live_version() == 1
    live = versions.live_model_dir()
    assert {"model.onnx", "tokenizer.json", "nlu.json", "household.json", "meta.json"} <= {
        p.name for p in live.iterdir()}
    # the service's view after SIGHUP: the new model plus the household's words
    u = HouseholdUnderstander(model.load_understander(versions.current_model_dir()),
                              load(versions.household_file()))
    before = simulate.heldout_utterances()
    right_before = sum(simulate.understood(shipped(x.text), x) for x in before)
    right_after = sum(simulate.understood(u.parse(x.text), x) for x in before)
    assert right_after > right_before
    assert "den" in load(versions.household_file()).extra_words
    assert job.status()["last_run"]["result"] == "promoted"
    assert versions.rollback() is None
    assert versions.current_model_dir() == versions.shipped_model_dir()


def test_refuses_a_poisoned_training_set(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ordinary requests "corrected" to the wrong intent would cost base accuracy: refused.

    The gate is under test, so replay teaches labels only: with the start model's own answers
    (``model.DISTIL``) this poison moved the base test by just -0.09 points, and nothing is left
    for the gate to refuse."""
    monkeypatch.setattr(model, "DISTIL", 0.0)
    store = Store(env / "hearth.db")
    clock = [1_700_000_000.0]
    rec = HistoryRecorder(store, HistoryConfig(), clock=lambda: clock[0])
    # every other request of the eight commonest intents "corrected" to a joke; the gate's base
    # test leaves out what the household said, so the other half is where the harm shows
    test = model.load_base().test
    common = Counter(e.intent for e in test if e.intent in INTENTS and e.intent != "out_of_scope")
    poison = [" ".join(e.words) for e in test if e.intent in dict(common.most_common(8))][::2]
    for text in poison * 3:
        for said, intent, conf in ((text, "weather_query", 0.9), ("no i meant tell me a joke", "joke", 0.95)):
            clock[0] += 600 if said == text else 3
            rec.record(Turn(Transcript(said), Understanding(said, intent, conf), Reply("ok", intent=intent)))
    report = job.run(Config(), store, progress=False)
    assert report["result"] == "kept", report
    assert "base test accuracy would drop" in report["reason"]
    assert versions.live_version() is None and not versions.versions_dir().exists()


def test_sigkill_mid_training_leaves_live_model_and_rerun_completes(
        env: Path, shipped: simulate.Parse) -> None:
    store = Store(env / "hearth.db")
    live_household(2, store, shipped, seed=2)
    job.run(Config(), store, progress=False)  # night one: a live version to protect
    live_before = versions.live_version()
    digest = folder_digest(versions.current_model_dir())
    live_household(1, store, shipped, seed=3)
    sizes = "; ".join(f"m.{k} = {v}" for k, v in SMALL.items())
    code = ("import personalize.model as m; " + sizes +
            "; from personalize.__main__ import main; raise SystemExit(main(['run', '--quiet']))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=dict(os.environ),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    state = job.state_file()
    try:
        while time.monotonic() < deadline:
            s = read_json(state)
            if s and "dataset" in s["done"]:
                break  # training has begun
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    s = read_json(state)
    assert s["done"] == ["dataset"], "the kill must land during training"
    assert versions.live_version() == live_before
    assert folder_digest(versions.current_model_dir()) == digest
    report = job.run(Config(), store, progress=False)  # resumes at "train"
    assert report["run_id"] == s["run_id"]
    assert report["result"] in ("promoted", "kept")
    assert not state.exists()
