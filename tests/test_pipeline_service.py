"""``assistant run`` as the service runs it: no microphone here, so it must wait, report, obey
SIGHUP and SIGTERM, and never crash-loop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def _status(env: dict[str, str]) -> dict:
    r = subprocess.run([sys.executable, "-m", "assistant", "status", "--json"], env=env,
                       capture_output=True, text=True, timeout=30)
    return json.loads(r.stdout).get("status") or {} if r.stdout.strip() else {}


def _wait_for(env: dict[str, str], pred, timeout: float = 60.0) -> dict:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = _status(env)
        if st and pred(st):
            return st
        time.sleep(0.5)
    raise AssertionError(f"status never matched; last: {st}")


def test_run_without_microphone_waits_reloads_and_stops_within_two_seconds(tmp_path):
    env = dict(os.environ, HEARTH_DATA_DIR=str(tmp_path / "data"),
               HEARTH_CONFIG_DIR=str(tmp_path / "config"), RUNTIME_DIRECTORY=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "run", "--generation-enabled",
                             "false"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        st = _wait_for(env, lambda s: s.get("audio", {}).get("state") == "waiting for microphone")
        assert st["models"]["asr"] == "whisper"
        proc.send_signal(signal.SIGHUP)  # reload config and models: the process stays up
        time.sleep(3)
        assert proc.poll() is None
        _wait_for(env, lambda s: s.get("state") in ("waiting for microphone", "idle"))
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=10)
        assert time.monotonic() - t0 < 2.0
        assert rc == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read()
    assert "Traceback" not in err
    assert "reloaded config and models" in err
