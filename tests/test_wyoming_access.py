"""Who may act on the household over Wyoming (issue 19), with the real ``wyoming`` client:
handle and intent on a non-loopback bind need wyoming.remote_handle and an allowed client,
custom commands need wyoming.run_commands, and every request is one INFO line."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_helpers import PYTHON, child_env
from wyoming.asr import Transcript
from wyoming.client import AsyncTcpClient
from wyoming.event import Event
from wyoming.intent import Recognize
from wyoming.tts import Synthesize
from wyoming_helpers import READ_TIMEOUT_S, WyomingProcess, read_until, run

pytestmark = pytest.mark.slow

BELL = """\
language: en
intents:
  RingBell:
    data:
      - sentences: ["ring the {door} bell"]
    command: [PYTHON, "-c", "import sys, time; time.sleep(3); open(sys.argv[1], 'a').write(sys.argv[2])", LOG, "{door}"]
lists:
  door: {values: [front, back]}
"""
SERVER = ["--wyoming-services", "tts,handle,intent", "--generation-enabled", "false",
          "--understanding-engine", "keywords", "--wyoming-remote-handle", "true"]


def lan_address() -> str:
    """An address of this machine other than loopback (a client from "another machine")."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
        address = probe.getsockname()[0]
    except OSError:
        address = "127.0.0.1"
    finally:
        probe.close()
    if address.startswith("127."):
        pytest.skip("no network address other than loopback")
    return address


@pytest.fixture(scope="module")
def config_dir(tmp_path_factory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("config")
    (root / "intents").mkdir()
    log = root / "rang"
    text = BELL.replace("PYTHON", json.dumps(sys.executable)).replace("LOG", json.dumps(str(log)))
    (root / "intents" / "bell.yaml").write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HEARTH_CONFIG_DIR", str(root))
        yield root


def serve(*args: str) -> WyomingProcess:
    return WyomingProcess("--uri", "tcp://0.0.0.0:0", *SERVER, *args)


@pytest.fixture(scope="module")
def guarded(config_dir) -> Iterator[WyomingProcess]:
    """Handle open to a subnet this machine is not in; commands off."""
    srv = serve("--wyoming-handle-clients", "203.0.113.0/24")
    yield srv
    assert srv.close() == 0, srv.log[-2000:]


async def ask(host: str, port: int, *events: Event, last: str) -> list[Event]:
    async with AsyncTcpClient(host, port, read_timeout=READ_TIMEOUT_S) as client:
        for e in events:
            await client.write_event(e)
        return await read_until(client, last)


def test_handle_and_intent_on_an_open_bind_need_the_opt_in_and_the_clients(tmp_path):
    for args, says in [
        ([], "wyoming: handle and intent act on the household and tcp://0.0.0.0:10700 lets other "
             "machines connect: set wyoming.remote_handle = true and list the clients allowed in "
             "wyoming.handle_clients (Home Assistant's address), or serve only asr,tts,wake"),
        (["--wyoming-remote-handle", "true"], "list the clients allowed in wyoming.handle_clients"),
        (["--wyoming-remote-handle", "true", "--wyoming-handle-clients", "my lan"],
         "wyoming.handle_clients: 'my lan' is not an address or subnet like 192.168.1.20 or 192.168.1.0/24"),
    ]:
        done = subprocess.run([PYTHON, "-m", "assistant", "wyoming", "--uri", "tcp://0.0.0.0:10700", *args],
                              capture_output=True, text=True, timeout=120,
                              env=child_env(HEARTH_MODELS_DIR=str(tmp_path / "no-models")))
        assert done.returncode == 1 and says in done.stderr, (args, done.stderr[-500:])
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_client_not_allowed_is_refused_handle_and_intent_but_keeps_its_voice(guarded):
    host = lan_address()
    events = run(ask(host, guarded.port, Transcript(text="add milk to the shopping list").event(),
                     Recognize(text="add milk to the shopping list").event(),
                     Synthesize(text="Hello.").event(), last="audio-stop"))
    errors = [e.data for e in events if e.type == "error"]
    assert errors == [{"text": f"{s} is not open to this client (wyoming.handle_clients)",
                       "code": "not-allowed"} for s in ("handle", "intent")]
    assert any(e.type == "audio-chunk" for e in events)
    log = guarded.wait_log(f"wyoming: {host}:")
    assert "refused: handle is not open to this client (wyoming.handle_clients)" in log
    assert "transcript 'add milk" not in log  # nothing was done


def test_loopback_acts_and_every_request_is_one_line_but_commands_stay_off(guarded, config_dir):
    events = run(ask("127.0.0.1", guarded.port, Transcript(text="add milk to the shopping list").event(),
                     last="handled"))
    assert events[-1].type == "handled"
    log = guarded.wait_log("transcript 'add milk to the shopping list' -> list_add {")
    line = next(x for x in log.splitlines() if "transcript 'add milk" in x)
    assert line.startswith("wyoming: 127.0.0.1:") and "item='milk'" in line and line.endswith(": ok")

    events = run(ask("127.0.0.1", guarded.port, Transcript(text="ring the front bell").event(),
                     last="not-handled"))
    said = "Sorry, I didn't run ring bell: commands asked for over Wyoming are switched off."
    assert events[-1].data["text"] == said
    guarded.wait_log(f"transcript 'ring the front bell' -> RingBell {{door='front'}}: not done ({said!r})")
    assert not (config_dir / "rang").exists()


def test_an_allowed_client_runs_a_command_on_its_own_thread_one_at_a_time(config_dir):
    host = lan_address()
    srv = serve("--wyoming-handle-clients", f"{host}/32", "--wyoming-run-commands", "true")
    try:
        async def together() -> tuple[list[Event], list[Event], float, float]:
            first = asyncio.create_task(ask(host, srv.port, Transcript(text="ring the front bell").event(),
                                            last="handled"))
            await asyncio.sleep(0.5)
            second = await ask(host, srv.port, Transcript(text="ring the back bell").event(),
                               last="not-handled")
            await ask(host, srv.port, Synthesize(text="Hello there.").event(), last="audio-stop")
            spoken_at = time.monotonic()
            answered = await first
            return answered, second, spoken_at, time.monotonic()

        first, second, spoken_at, first_at = run(together())
        assert first[-1].type == "handled" and (config_dir / "rang").read_text() == "front"
        assert second[-1].data["text"] == ("Sorry, I didn't run ring bell: "
                                           "another command is still running.")
        assert spoken_at < first_at  # the refusal and the voice did not wait for the command
        srv.wait_log(f"wyoming: {host}:")
        line = next(x for x in srv.log.splitlines() if "transcript 'ring the front bell'" in x)
        assert line.startswith(f"wyoming: {host}:") and line.endswith("RingBell {door='front'}: ok")
    finally:
        assert srv.close() == 0, srv.log[-2000:]
