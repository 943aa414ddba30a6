"""History recorder on a real SQLite store: fields, feedback rows, retention, opt-out, forget, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import HistoryConfig
from assistant.events import Reply, Slot, StageTimes, Transcript, Turn, Understanding
from assistant.history.store import DAY_S, HistoryRecorder, count, forget, turns
from assistant.store import Store


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def turn(text: str, intent: str, conf: float = 0.9, ok: bool = True,
         slots: list[Slot] | None = None) -> Turn:
    u = Understanding(text, intent, conf, slots or [], alternatives=[("help", 0.05)])
    times = StageTimes(speech_start=1.0, speech_end=2.0, endpoint=2.2, asr_final=2.3,
                       understood=2.35, replied=2.4, first_audio=2.6, done=3.5)
    return Turn(Transcript(text, confidence=0.8, alternatives=[text + "s"]), u,
                Reply("done", intent=intent, ok=ok), times, audio_seconds=1.5)


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "hearth.db")


def test_records_every_field_and_feedback(store: Store) -> None:
    clock = Clock()
    rec = HistoryRecorder(store, HistoryConfig(), clock)
    a = rec.record(turn("lights out in the den", "lights_on", slots=[Slot("place", "den", "den", 0.7, 4, 5)]))
    clock.t += 3
    rec.record(turn("no", "negate"))
    clock.t += 4
    rec.record(turn("turn off the lights in the living room", "lights_off"))
    rows = list(turns(store))
    assert [r["asr_text"] for r in rows][0] == "lights out in the den"
    first = rows[0]
    assert first["id"] == a and first["intent"] == "lights_on" and first["intent_confidence"] == 0.9
    assert first["asr_confidence"] == 0.8 and first["asr_alternatives"] == ["lights out in the dens"]
    assert first["slots"][0]["name"] == "place" and first["slots"][0]["confidence"] == 0.7
    assert first["intent_alternatives"] == [["help", 0.05]]
    assert first["latencies_ms"]["asr_final"] == pytest.approx(100.0)
    assert first["audio_seconds"] == 1.5 and first["has_audio"] is False
    assert [f["kind"] for f in first["feedback"]] == ["negated", "rephrased"]
    assert first["feedback"][1]["detail"]["intent"] == "lights_off"


def test_feedback_survives_a_restart(tmp_path: Path) -> None:
    clock = Clock()
    HistoryRecorder(Store(tmp_path / "h.db"), HistoryConfig(), clock).record(
        turn("kill the timer", "out_of_scope", conf=0.3, ok=False))
    clock.t += 5
    store = Store(tmp_path / "h.db")  # a new process: the recorder keeps no memory
    HistoryRecorder(store, HistoryConfig(), clock).record(turn("cancel the timer", "timer_cancel"))
    assert [f["kind"] for f in next(turns(store))["feedback"]] == ["rephrased"]


def test_opt_out_records_nothing(store: Store) -> None:
    rec = HistoryRecorder(store, HistoryConfig(enabled=False), Clock())
    assert rec.record(turn("what time is it", "datetime_query"), audio=b"\0\0") == 0
    assert count(store) == 0


def test_audio_only_when_asked(store: Store) -> None:
    clock = Clock()
    HistoryRecorder(store, HistoryConfig(), clock).record(turn("hi", "greeting"), audio=b"\1\2")
    HistoryRecorder(store, HistoryConfig(store_audio=True), clock).record(turn("hi", "greeting"), audio=b"\1\2")
    assert [r["has_audio"] for r in turns(store)] == [False, True]


def test_retention_prunes_old_turns_on_record(store: Store) -> None:
    clock = Clock()
    rec = HistoryRecorder(store, HistoryConfig(retention_days=2), clock)
    rec.record(turn("old", "greeting"))
    clock.t += 1 * DAY_S
    rec.record(turn("middle", "greeting"))
    clock.t += 1.5 * DAY_S
    rec.record(turn("new", "greeting"))
    assert [r["asr_text"] for r in turns(store)] == ["middle", "new"]


def test_forget_since_and_all(store: Store) -> None:
    clock = Clock()
    rec = HistoryRecorder(store, HistoryConfig(), clock)
    for i in range(5):
        rec.record(turn(f"turn {i}", "greeting"))
        clock.t += 100
    assert forget(store, since=1_700_000_000.0 + 250) == 2
    assert count(store) == 3
    assert forget(store) == 3 and count(store) == 0
    assert store.query("SELECT COUNT(*) AS n FROM history_feedback")[0]["n"] == 0


def test_cli_list_export_forget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HEARTH_CONFIG_DIR", str(tmp_path / "cfg"))
    store = Store()
    clock = Clock()
    rec = HistoryRecorder(store, HistoryConfig(), clock)
    rec.record(turn("lights out in the den", "lights_on"))
    clock.t += 3
    rec.record(turn("no", "negate"))
    assert main(["history", "list"]) == 0
    out = capsys.readouterr().out
    assert "lights out in the den" in out and "negated" in out
    dest = tmp_path / "h.jsonl"
    assert main(["history", "export", str(dest)]) == 0
    lines = [json.loads(x) for x in dest.read_text().splitlines()]
    assert [x["asr_text"] for x in lines] == ["lights out in the den", "no"]
    assert main(["history", "forget", "--since", "not-a-date"]) == 1
    assert main(["history", "forget", "--all"]) == 0
    assert count(Store()) == 0
