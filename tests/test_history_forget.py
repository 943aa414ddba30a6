"""``assistant history forget`` forgets what was learned too (issue 19): after a real night's
learning, no file under the data, cache or models folders holds a byte of a forgotten sentence;
the WAL is checked, not assumed, to have let go of them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import paths
from assistant.asr.domain_lm import build_domain_lm
from assistant.cli import main
from assistant.config import Config, HistoryConfig
from assistant.errors import HearthError
from assistant.events import Reply, Transcript, Turn
from assistant.history.store import HistoryRecorder, forget, turns
from assistant.household import versions
from assistant.household.words import load
from assistant.store import Store
from personalize import job, model, simulate

SMALL = {"REPLAY": 1200, "TEST": 1200}  # base subsets small enough for a test (as the e2e test)


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.exists():
            yield from (p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def holding(texts: set[str], *roots: Path) -> dict[str, list[str]]:
    """Which of ``texts`` (as UTF-8 bytes) each file under ``roots`` holds."""
    wanted = {t: t.encode("utf-8") for t in texts}
    found: dict[str, list[str]] = {}
    for path in files_under(*roots):
        data = path.read_bytes()
        hits = [t for t, b in wanted.items() if b in data]
        if hits:
            found[str(path)] = hits
    return found


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HEARTH_CACHE_DIR", str(tmp_path / "cache"))
    for k, v in SMALL.items():
        monkeypatch.setattr(model, k, v)
    return tmp_path


@pytest.mark.slow
def test_forget_leaves_no_trace_of_a_forgotten_sentence_in_any_file(home, capsys):
    store = Store()
    house = simulate.Household(seed=1)
    rec = HistoryRecorder(store, HistoryConfig(), clock=house.clock)
    shipped = model.load_understander(versions.shipped_model_dir()).parse
    for _ in range(2):
        for turn in house.day(shipped, simulate.default_respond, requests=50):
            rec.record(turn)
    assert job.run(Config(), store, progress=False)["result"] == "promoted"
    learned = load(versions.household_file())
    build_domain_lm(learned.extra_sentences, learned.extra_words)  # as the assistant's start does
    said = {t["asr_text"] for t in turns(store)} | set(learned.extra_sentences)
    models = [paths.models_dir(), paths.REPO_MODELS]
    ours = [paths.data_dir(), paths.cache_dir()]
    # the sentences only this household said: in its files now, in no shipped model
    shared = {t for hits in holding(said, *models).values() for t in hits}
    traces = {t for hits in holding(said - shared, *ours).values() for t in hits if len(t) >= 12}
    beyond_db = {t for path, hits in holding(traces, *ours).items()
                 if not path.endswith(("hearth.db", "hearth.db-wal")) for t in hits}
    assert len(traces) >= 10 and len(beyond_db) >= 5, (traces, beyond_db)  # learning copied them
    n = len(list(turns(store)))
    store.close()

    assert main(["history", "forget", "--all"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"forgot {n} turns"
    assert out[1] == ("and what was learned from the history: 1 personalized model version with the "
                      "household's words (the shipped model is live again); the nightly job's work "
                      "files; its cached features; the language models built with the household's "
                      "sentences (rebuilt without them when needed)")

    assert holding(traces, *ours, *models) == {}
    assert versions.current_model_dir() == versions.shipped_model_dir()


def test_forget_says_when_a_reader_keeps_the_wal_from_letting_go(tmp_path):
    store = Store(tmp_path / "h.db")
    rec = HistoryRecorder(store, HistoryConfig())
    rec.record(Turn(Transcript(text="my locker code is four four two one"), None, Reply("Okay.")))
    reader = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM history_turns").fetchall()  # holds a snapshot
    with pytest.raises(HearthError, match=r"^forgot 1 turns, but another process \(the assistant\?\) "
                                          r"is reading the database, so copies stay in its WAL file"):
        forget(store)
    reader.execute("COMMIT")
    reader.close()
    assert forget(store) == 0
    assert b"locker code" not in (tmp_path / "h.db").read_bytes()
    assert not (tmp_path / "h.db-wal").exists() or (tmp_path / "h.db-wal").stat().st_size == 0
