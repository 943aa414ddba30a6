"""What one bad client does to ``assistant wyoming``: one log line, its own connection closed,
every other client served as before. Malformed and oversized events, hang-ups mid-stream,
audio that never stops, a client that goes silent, a format nobody can play; plus the connection
cap, disabled services and the Unix socket."""

from __future__ import annotations

import asyncio
import json

import pytest
from synth_helpers import noise, piper_wav
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize
from wyoming_helpers import WyomingProcess, audio_events, read_until, run

from assistant.audio.wav import read_wav

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    srv = WyomingProcess("--uri", "tcp://127.0.0.1:0", "--generation-enabled", "false",
                         "--wyoming-max-audio-s", "3", "--wyoming-idle-timeout-s", "2",
                         "--wyoming-max-header-bytes", "4096",
                         "--wyoming-max-payload-bytes", "65536")
    yield srv
    assert srv.close() == 0, srv.log[-2000:]


def still_serving(server) -> None:
    """A well-behaved client is answered as if nothing had happened."""
    async def go():
        async with server.client() as client:
            await client.write_event(Describe().event())
            return await read_until(client, "info")
    assert Info.from_event(run(go())[-1]).asr


async def raw(server, data: bytes, wait: float = 5.0) -> bytes:
    """Send bytes as they are; what the server sent back before closing."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


def error_text(reply: bytes) -> str:
    header = json.loads(reply.split(b"\n", 1)[0])
    assert header["type"] == "error", header
    body = reply.split(b"\n", 1)[1][: header.get("data_length", 0)]
    return json.loads(body or b"{}").get("text", "") or header.get("data", {}).get("text", "")


@pytest.mark.parametrize("data, logged", [
    (b"this is not json\n", "malformed event (its header is not JSON)"),
    (b'["a", "list"]\n', "malformed event"),
    (b'{"data": {"text": "no type"}}\n', "malformed event"),
    (b'{"type": "synthesize", "data": {"no_text": 1}}\n', "malformed synthesize event"),
    (b'{"type": "audio-chunk", "data": {"rate": 16000}}\n', "malformed audio-chunk event"),
    (b'{"type": "describe", "data_length": "many"}\n', "malformed event"),
])
def test_malformed_events_close_only_that_connection(server, data, logged):
    reply = run(raw(server, data))
    assert reply == b"" or json.loads(reply.split(b"\n")[0])["type"] == "error"
    server.wait_log(logged)
    still_serving(server)


def test_an_oversized_header_is_refused_before_it_is_read_whole(server):
    line = b'{"type": "synthesize", "data": {"text": "' + b"a" * 100_000 + b'"}}\n'
    reply = run(raw(server, line))
    assert "header" in error_text(reply)
    server.wait_log("event header is over 4096 bytes")
    still_serving(server)


def test_an_announced_payload_over_the_cap_is_never_buffered(server):
    header = json.dumps({"type": "audio-chunk", "data": {"rate": 16000, "width": 2, "channels": 1},
                         "payload_length": 500_000_000}).encode() + b"\n"
    reply = run(raw(server, header + b"\0" * 1000))
    assert "500000000 bytes" in error_text(reply)
    server.wait_log("announced 500000000 bytes of data or payload, over 65536")
    still_serving(server)


def test_a_client_hanging_up_mid_stream_is_logged_and_others_go_on(server):
    x = read_wav(piper_wav("what time is it"))

    async def hang_up():
        async with server.client() as client:
            await client.write_event(Transcribe().event())
            for e in list(audio_events(x, 16000))[:10]:  # start and some chunks, no stop
                await client.write_event(e)
    run(hang_up())
    server.wait_log("hung up in the middle of a speech-to-text stream")

    async def cut_inside_an_event():
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        header = AudioChunk(16000, 2, 1, b"").event().to_dict()
        header["payload_length"] = 32000
        writer.write(json.dumps(header).encode() + b"\n" + b"\0" * 1000)
        await writer.drain()
        writer.close()
    run(cut_inside_an_event())
    server.wait_log("the client hung up inside an event (1000 of 32000 bytes came)")
    still_serving(server)
    # and the recognizer the first stream had is clean for the next one
    async def again():
        async with server.client() as client:
            await client.write_event(Transcribe().event())
            for e in audio_events(x, 16000):
                await client.write_event(e)
            return await read_until(client, "transcript-stop")
    assert Transcript.from_event(run(again())[-2]).text == "what time is it"


def test_audio_that_never_stops_is_cut_off(server):
    async def endless():
        async with server.client() as client:
            await client.write_event(Transcribe().event())
            for e in audio_events(noise(5.0, level=0.05), 16000, stop=False):
                try:
                    await client.write_event(e)
                except ConnectionError:
                    break
            return await read_until(client, "error")
    events = run(endless())
    assert "without audio-stop" in events[-1].data["text"]
    server.wait_log("speech-to-text audio went on for over 3 s without audio-stop")
    still_serving(server)


def test_a_silent_client_is_disconnected_after_the_idle_timeout(server):
    async def idle():
        async with server.client() as client:
            await client.write_event(Transcribe().event())
            await client.write_event(AudioStart(16000, 2, 1).event())
            return await asyncio.wait_for(read_until(client, "error"), 10)
    events = run(idle())
    assert "nothing came for 2 s" in events[-1].data["text"]
    server.wait_log("nothing came for 2 s in the middle of a speech-to-text stream")
    still_serving(server)


def test_an_unplayable_audio_format_is_one_clear_line(server):
    events = run(_events(server, Transcribe().event(), AudioStart(16000, 7, 1).event(),
                         AudioChunk(16000, 7, 1, b"\0" * 700).event()))
    assert events[-1].type == "error" and "width 7 bytes" in events[-1].data["text"]
    server.wait_log("audio width 7 bytes is not 1, 2, 3 or 4; closing this connection")
    still_serving(server)


async def _events(server, *events):
    async with server.client() as client:
        for e in events:
            await client.write_event(e)
        return await read_until(client, "error")


@pytest.fixture(scope="module")
def tts_only(tmp_path_factory):
    sock = tmp_path_factory.mktemp("wyoming") / "hearth.sock"
    srv = WyomingProcess("--uri", f"unix://{sock}", "--wyoming-services", "tts",
                         "--wyoming-max-connections", "2", "--generation-enabled", "false")
    yield srv
    assert srv.close() == 0, srv.log[-2000:]
    assert not sock.exists()  # the socket file is removed on exit


def test_unix_socket_only_the_configured_services_and_the_connection_cap(tts_only):
    async def go():
        async with tts_only.client() as a, tts_only.client() as b:
            await a.write_event(Describe().event())
            info = Info.from_event((await read_until(a, "info"))[-1])
            await a.write_event(Transcript(text="set a timer for five minutes").event())
            off = (await read_until(a, "error"))[-1]
            await a.write_event(Synthesize(text="Still here.").event())
            spoken = await read_until(a, "audio-stop")
            async with tts_only.client() as c:  # the third of two allowed: told at once
                busy = await c.read_event()
            await b.write_event(Describe().event())
            await read_until(b, "info")
            return info, off, spoken, busy

    info, off, spoken, busy = run(go())
    assert info.tts and not (info.asr or info.wake or info.handle or info.intent)
    assert off.data == {"text": "handle is not enabled on this server (wyoming.services)",
                        "code": "service-off"}
    assert any(e.type == "audio-chunk" for e in spoken)  # the connection stayed open
    assert busy is not None and busy.data["code"] == "busy"


def test_bad_settings_fail_before_any_model_loads(tmp_path):
    import subprocess

    from service_helpers import PYTHON, child_env

    for args, says in [
        (["--wyoming-services", "asr,speech"],
             "wyoming.services must be one of asr, tts, wake, handle, intent, got 'speech'"),
        (["--uri", "http://127.0.0.1:80"], "wyoming.uri must be tcp://HOST:PORT or unix://PATH"),
        (["--uri", "tcp://127.0.0.1"], "needs a host and a port"),
        (["--wyoming-max-header-bytes", "10"], "wyoming.max_header_bytes must be 1024..65536"),
    ]:
        # no models at all: had anything loaded, its fallback would have said so first
        done = subprocess.run([PYTHON, "-m", "assistant", "wyoming", *args], capture_output=True,
                              text=True, timeout=120,
                              env=child_env(HEARTH_MODELS_DIR=str(tmp_path / "no-models")))
        assert done.returncode == 1 and says in done.stderr, (args, done.stderr[-500:])
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_sighup_reloads_the_models_and_keeps_serving(server):
    import signal

    server.proc.send_signal(signal.SIGHUP)
    server.wait_log("wyoming: reloaded config and models", timeout=120)
    still_serving(server)
    assert server.proc.poll() is None
