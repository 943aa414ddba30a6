"""ServiceRuntime: reload between turns, watchdog from the loop thread, crashes, SIGTERM < 2 s."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
import threading
import time

import pytest
from service_helpers import PYTHON, NotifyListener, child_env

from assistant import config as config_mod
from assistant.config import ServiceConfig
from assistant.errors import HearthError
from assistant.service.notify import Notifier
from assistant.service.retry import Backoff
from assistant.service.runtime import ServiceRuntime
from assistant.service.status import StatusBoard


@pytest.fixture
def listener(tmp_path):
    lst = NotifyListener(tmp_path / "notify")
    yield lst
    lst.close()


def make_runtime(tmp_path, listener, watchdog_usec: int = 0, **kw) -> ServiceRuntime:
    env = {"NOTIFY_SOCKET": listener.env_value}
    if watchdog_usec:
        env["WATCHDOG_USEC"] = str(watchdog_usec)
    cfg = kw.pop("cfg", ServiceConfig(status_socket=str(tmp_path / "hearth.sock")))
    board = StatusBoard(tmp_path / "status.json", personalize_file=tmp_path / "none.json")
    return ServiceRuntime(cfg, notifier=Notifier(env), status=board, exit_on_timeout=False, **kw)


def run(rt: ServiceRuntime, run_once, limit: float = 15.0) -> int:
    """``rt.run`` with a time limit: a test that never stops fails instead of hanging."""
    fired: list[bool] = []
    timer = threading.Timer(limit, lambda: (fired.append(True), rt.request_stop()))
    timer.start()
    try:
        code = rt.run(run_once)
    finally:
        timer.cancel()
    assert not fired, f"the runtime did not stop by itself within {limit} s"
    return code


def test_sighup_reloads_between_turns_and_no_turn_is_lost(tmp_path, listener):
    log: list[str] = []
    turns = {"n": 0}
    holder: dict[str, ServiceRuntime] = {}

    def run_once() -> None:
        n = turns["n"] = turns["n"] + 1
        log.append(f"start {n}")
        if n == 2:  # SIGHUP arrives in the middle of turn 2
            os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(0.15)
        log.append(f"end {n}")
        if n == 5:
            holder["rt"].request_stop()

    rt = holder["rt"] = make_runtime(tmp_path, listener, reload=lambda: log.append("reload"))
    assert run(rt, run_once) == 0
    assert log.count("reload") == 1
    i = log.index("reload")
    # between turns, never inside one (normally right after turn 2; later only on a busy box)
    assert log[i - 1].startswith("end") and log[i + 1].startswith("start")
    assert log.index("end 2") < i
    starts = [x for x in log if x.startswith("start")]
    ends = [x for x in log if x.startswith("end")]
    assert len(starts) == len(ends) == 5  # every turn that began was finished
    listener.receive(0.1)
    kinds = [next(iter(m)) for m in listener.messages if set(m) & {"READY", "RELOADING", "STOPPING"}]
    assert kinds == ["READY", "RELOADING", "READY", "STOPPING"]


def test_failed_reload_keeps_serving_and_names_the_key(tmp_path, listener, caplog):
    bad = tmp_path / "config.toml"
    bad.write_text("[endpoint]\nsilence_ms = 'long'\n")
    served = {"n": 0}
    holder: dict[str, ServiceRuntime] = {}

    def run_once() -> None:
        served["n"] += 1
        if served["n"] == 1:
            holder["rt"].request_reload()
        if served["n"] == 4:
            holder["rt"].request_stop()
        time.sleep(0.1)

    rt = holder["rt"] = make_runtime(tmp_path, listener, reload=lambda: config_mod.load(bad))
    assert run(rt, run_once) == 0
    assert served["n"] == 4 and rt.reloads == 0
    assert "endpoint.silence_ms" in rt.status.get("error")
    lines = [r.getMessage() for r in caplog.records if "reload failed" in r.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0] and "endpoint.silence_ms" in lines[0]


def _pings_during_hang(tmp_path, listener, cfg: ServiceConfig) -> tuple[int, int]:
    """(pings while turns run, pings while the loop hangs with a decoy thread calling heartbeat)."""
    counts: dict[str, int] = {}
    holder: dict[str, ServiceRuntime] = {}
    calls = {"n": 0}

    def run_once() -> None:
        calls["n"] += 1
        rt = holder["rt"]
        if calls["n"] < 20:
            time.sleep(0.02)
            return
        listener.receive(0.05)
        counts["healthy"] = listener.count("WATCHDOG")
        decoy = threading.Thread(target=lambda: [rt.heartbeat() or time.sleep(0.01) for _ in range(50)])
        decoy.start()
        rt.stopping.wait(0.6)  # hung, as far as anyone can tell
        decoy.join()
        listener.receive(0.01)
        counts["hung"] = listener.count("WATCHDOG") - counts["healthy"]
        rt.request_stop()
        rt.stopping.wait(2)

    rt = holder["rt"] = make_runtime(tmp_path, listener, watchdog_usec=200_000, cfg=cfg)
    assert run(rt, run_once) == 0
    return counts["healthy"], counts["hung"]


def test_watchdog_pings_stop_when_the_loop_hangs(tmp_path, listener):
    cfg = ServiceConfig(status_socket=str(tmp_path / "hearth.sock"), watchdog=True)
    healthy, hung = _pings_during_hang(tmp_path, listener, cfg)
    assert healthy >= 4  # ~0.4 s of turns at one ping per 50 ms
    assert hung == 0  # other threads' heartbeats do not count: systemd will restart us


def test_watchdog_off_in_config_pings_from_main_thread(tmp_path, listener):
    cfg = ServiceConfig(status_socket=str(tmp_path / "hearth.sock"), watchdog=False)
    _, hung = _pings_during_hang(tmp_path, listener, cfg)
    assert hung >= 5  # process liveness only; hang detection is off by choice


def test_crash_in_the_loop_exits_nonzero(tmp_path, listener):
    def run_once() -> None:
        raise RuntimeError("bug")

    rt = make_runtime(tmp_path, listener)
    assert run(rt, run_once) == 1
    assert rt.status.get("state") == "crashed"


def test_hearth_errors_back_off_and_the_loop_goes_on(tmp_path, listener):
    calls = {"n": 0}
    holder: dict[str, ServiceRuntime] = {}

    def run_once() -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            raise HearthError("model nlu is corrupt; using keywords")
        holder["rt"].request_stop()
        time.sleep(0.1)

    rt = holder["rt"] = make_runtime(tmp_path, listener, error_backoff=Backoff(0.01, 2, 0.02))
    assert run(rt, run_once) == 0
    assert calls["n"] == 3
    assert rt.status.get("error") == "model nlu is corrupt; using keywords"


def test_blocks_end_at_an_idle_moment_when_a_reload_is_queued(tmp_path, listener):
    rt = make_runtime(tmp_path, listener)
    idle = {"v": False}
    closed = []

    def source():
        try:
            yield from range(100)
        finally:
            closed.append(True)

    got = []
    for b in rt.blocks(source(), idle=lambda: idle["v"]):
        got.append(b)
        if b == 3:
            rt._reload_pending.set()  # as the main thread does on SIGHUP
        if b == 6:
            idle["v"] = True  # the turn is over
    assert got == [0, 1, 2, 3, 4, 5, 6]
    assert closed == [True]  # the microphone is released before the reload reopens it


CHILD = textwrap.dedent("""
    import sys, time, threading
    from assistant.config import ServiceConfig
    from assistant.service.runtime import ServiceRuntime

    mode = sys.argv[1]
    cut = threading.Event()

    def run_once():
        print("turn", flush=True)
        for _ in range(100):  # a 10 s reply, spoken in 0.1 s chunks
            if mode == "hung":
                time.sleep(30)  # ignores every stop request
            if cut.is_set():
                print("cut", flush=True)
                return
            time.sleep(0.1)

    def shutdown():
        print("flushed", flush=True)

    rt = ServiceRuntime(ServiceConfig(status_socket=sys.argv[2]), interrupt=cut.set,
                        shutdown=shutdown)
    sys.exit(rt.run(run_once))
""")


@pytest.mark.parametrize("mode", ["cooperative", "hung"])
def test_sigterm_exits_within_two_seconds(tmp_path, listener, mode):
    proc = subprocess.Popen(
        [PYTHON, "-c", CHILD, mode, str(tmp_path / "hearth.sock")],
        env=child_env(NOTIFY_SOCKET=listener.env_value, RUNTIME_DIRECTORY=str(tmp_path)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        listener.wait_for("READY", "1", timeout=30)
        assert proc.stdout.readline().strip() == "turn"
        time.sleep(0.3)  # well inside the reply
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=10)
        elapsed = time.monotonic() - t0
    finally:
        proc.kill()
    out, err = proc.communicate()
    assert rc == 0, err
    assert elapsed < 2.0
    assert "flushed" in out
    if mode == "cooperative":
        assert "cut" in out and elapsed < 1.0
    else:
        assert "did not stop within" in err
    listener.wait_for("STOPPING", "1", timeout=1)


def test_microphone_stream_through_the_runtime_survives_a_reload(tmp_path, listener):
    """The composition `assistant run` uses: mic with retry -> runtime guard -> loop."""
    import numpy as np

    from assistant.service.retry import ResilientSource

    opened: list[int] = []

    class Mic:
        def __init__(self) -> None:
            opened.append(1)

        def blocks(self):
            n = 0
            while True:
                n += 1
                time.sleep(0.005)
                yield np.full(480, n, dtype=np.int16)

        def close(self) -> None:
            opened.append(-1)

    holder: dict[str, ServiceRuntime] = {}
    seen = {"blocks": 0, "turn_blocks": 0}
    in_turn = {"v": False}

    def run_once() -> None:
        rt = holder["rt"]
        mic = ResilientSource(Mic, status=rt.status, stop=rt.stopping, heartbeat=rt.heartbeat)
        for _ in rt.guard(mic, idle=lambda: not in_turn["v"]).blocks():
            seen["blocks"] += 1
            if seen["blocks"] == 10:
                in_turn["v"] = True  # a turn starts...
                os.kill(os.getpid(), signal.SIGHUP)  # ...and a reload is asked for
            if in_turn["v"]:
                seen["turn_blocks"] += 1
                if seen["turn_blocks"] == 30:
                    in_turn["v"] = False  # ...the turn ends: now the reload may happen
            if rt.reloads == 1 and seen["blocks"] > 60:
                rt.request_stop()  # listening again after the reload

    def reload() -> None:
        assert not in_turn["v"], "reload inside a turn"
        assert opened.count(1) == opened.count(-1), "microphone still open during reload"

    rt = holder["rt"] = make_runtime(tmp_path, listener, reload=reload)
    assert run(rt, run_once) == 0
    assert rt.reloads == 1 and seen["turn_blocks"] == 30
    assert opened.count(1) >= 2 and opened.count(1) == opened.count(-1)
