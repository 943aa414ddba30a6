"""Status: board -> socket / state file -> ``assistant status``; malformed config -> one line."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from assistant.cli import main
from assistant.errors import HearthError
from assistant.events import StageTimes
from assistant.service import status
from assistant.service.report import NOT_RUNNING, describe
from assistant.service.status import PERSONALIZE_LAST_RUN, STATE_FILE_NAME, StatusBoard
from assistant.service.status_socket import StatusServer, query


@pytest.fixture
def runtime_dir(tmp_path, monkeypatch):
    """Only this test's folders are searched: a service another test killed leaves its state file
    in the session's data folder, and a real machine may have /run/hearth."""
    d = tmp_path / "run"
    d.mkdir()
    monkeypatch.setenv("RUNTIME_DIRECTORY", str(d))
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(status, "SYSTEM_RUNTIME_DIR", tmp_path / "system-run")
    return d


def turn_times(first_audio_ms: float) -> StageTimes:
    return StageTimes(speech_end=10.0, endpoint=10.2, asr_final=10.25, understood=10.26,
                      replied=10.3, first_audio=10.0 + first_audio_ms / 1000, done=12.0)


def test_board_snapshot_and_state_file(tmp_path):
    last_run = tmp_path / PERSONALIZE_LAST_RUN
    last_run.write_text(json.dumps({"result": "installed", "version": 4}))
    board = StatusBoard(tmp_path / STATE_FILE_NAME, personalize_file=last_run, keep_turns=3)
    board.update(state="idle", models={"nlu": "v4", "asr": "pocketsphinx 5.1.1"})
    for ms in (400, 500, 600, 700):
        board.record_turn(turn_times(ms))
    snap = board.snapshot()
    assert snap["state"] == "idle" and snap["pid"] == os.getpid()
    assert snap["models"]["nlu"] == "v4"
    assert [t["ms"]["speech_end_to_first_audio"] for t in snap["last_turns"]] == [500, 600, 700]
    assert snap["personalization"] == {"result": "installed", "version": 4}
    on_disk = json.loads((tmp_path / STATE_FILE_NAME).read_text())
    assert on_disk["state"] == "idle" and len(on_disk["last_turns"]) == 3
    assert stat.S_IMODE((tmp_path / STATE_FILE_NAME).stat().st_mode) == 0o644
    assert not list(tmp_path.glob(".*.tmp"))  # atomic replace leaves no temp files


def test_unchanged_update_does_not_rewrite(tmp_path):
    writes = []
    board = StatusBoard(None, personalize_file=tmp_path / "x", on_change=writes.append)
    board.update(state="idle")
    board.update(state="idle")
    assert len(writes) == 1


def test_socket_round_trip_and_single_instance(tmp_path):
    board = StatusBoard(None, personalize_file=tmp_path / "none.json")
    board.update(state="listening")
    path = tmp_path / "hearth.sock"
    server = StatusServer(path, board.snapshot)
    assert server.start()
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666
        assert query(path)["state"] == "listening"
        board.update(state="speaking")
        assert query(path)["state"] == "speaking"
        with pytest.raises(HearthError, match="already running"):
            StatusServer(path, board.snapshot).start()
    finally:
        server.close()
    assert not path.exists()
    assert query(path) is None


def test_stale_socket_from_a_crash_is_replaced(tmp_path):
    path = tmp_path / "hearth.sock"
    code = f"import socket; s = socket.socket(socket.AF_UNIX); s.bind({str(path)!r}); s.listen()"
    subprocess.run([sys.executable, "-c", code], check=True)  # exits without unlinking
    assert path.exists() and query(path) is None
    server = StatusServer(path, lambda: {"state": "idle"})
    assert server.start()
    assert query(path) == {"state": "idle"}
    server.close()


def test_too_long_socket_path_falls_back(tmp_path):
    server = StatusServer(tmp_path / ("x" * 120), lambda: {})
    assert server.start() is False


def test_cli_reads_the_socket(runtime_dir, tmp_path, capsys):
    board = StatusBoard(runtime_dir / STATE_FILE_NAME, personalize_file=tmp_path / "none.json")
    board.update(state="idle", models={"nlu": "v2"})
    board.record_turn(turn_times(480))
    server = StatusServer(runtime_dir / "hearth.sock", board.snapshot)
    server.start()
    try:
        assert main(["status"]) == 0
    finally:
        server.close()
    out = capsys.readouterr().out
    assert out.startswith("state: idle")
    assert "nlu v2" in out and "480" in out and "personalization: no run yet" in out


def test_cli_falls_back_to_the_state_file(runtime_dir, tmp_path, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    board = StatusBoard(runtime_dir / STATE_FILE_NAME, personalize_file=tmp_path / "none.json")
    board.update(state="speaking", pid=dead.pid)
    assert main(["status"]) == 3
    out = capsys.readouterr().out
    assert out.startswith(f"{NOT_RUNNING}; last known status")
    assert "state: speaking" in out
    assert main(["status", "--json"]) == 3
    assert json.loads(capsys.readouterr().out)["source"] == "file"


def test_cli_says_not_running(runtime_dir, capsys):
    assert main(["status"]) == 3
    assert capsys.readouterr().out.strip() == NOT_RUNNING


@pytest.mark.parametrize("content, key", [
    ("[service]\nwatchdog = 3\n", "service.watchdog"),
    ("[service]\nstatus_sockett = '/x'\n", "service.status_sockett"),
    ("[audio]\nblock_ms = 'fast'\n", "audio.block_ms"),
])
def test_malformed_config_is_one_line_naming_the_key(tmp_path, capsys, content, key):
    cfg = tmp_path / "config.toml"
    cfg.write_text(content)
    assert main(["status", "--config", str(cfg)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and key in err and "Traceback" not in err


def test_personalization_line_reads_the_jobs_report(tmp_path):
    job = pytest.importorskip("personalize.job")
    assert job.LAST_RUN == PERSONALIZE_LAST_RUN  # both rooms mean the same file
    assert job.last_run_file() == StatusBoard(None).personalize_file
    report = {"result": "promoted", "version": 4, "finished_at": "2026-05-01T03:12:09",
              "reason": "", "seconds": 212.0}
    snap = StatusBoard(None, personalize_file=tmp_path / "none.json").snapshot()
    snap["personalization"] = report
    assert "personalization: promoted (version 4), 2026-05-01T03:12:09" in describe("socket", snap)
    snap["personalization"] = {"result": "kept", "reason": "base accuracy dropped 1.2 points",
                               "finished_at": "2026-05-02T03:05:00"}
    assert describe("socket", snap).endswith(
        "personalization: kept, 2026-05-02T03:05:00: base accuracy dropped 1.2 points")
