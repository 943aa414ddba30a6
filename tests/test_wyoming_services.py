"""``assistant wyoming`` against real Wyoming clients (the library's AsyncTcpClient), for every
service it offers: describe, speech-to-text, text-to-speech (plain and streamed), wake word,
handling (skills, timers, dialogue per connection) and intent recognition."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes.util
import threading
import time

import numpy as np
import pytest
from service_helpers import WX_FILTER
from synth_helpers import flite_wav, noise, piper_wav, silence
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioStart
from wyoming.event import Event
from wyoming.handle import Handled
from wyoming.info import Describe, Info
from wyoming.intent import Intent, Recognize
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop
from wyoming.wake import Detect, Detection
from wyoming_helpers import WyomingProcess, audio_events, pcm, read_until, run

from assistant.audio.convert import resample
from assistant.audio.wav import read_wav, read_wav_native

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    srv = WyomingProcess("--uri", "tcp://127.0.0.1:0", "--generation-enabled", "false")
    yield srv
    assert srv.close() == 0, srv.log[-2000:]


async def ask(server, *events: Event, last: str):
    async with server.client() as client:
        for e in events:
            await client.write_event(e)
        return await read_until(client, last)


def test_describe_lists_every_service_installed(server):
    info = Info.from_event(run(ask(server, Describe().event(), last="info"))[-1])
    programs = [*info.asr, *info.tts, *info.wake, *info.handle, *info.intent]
    assert [p.name for p in programs] == ["hearth-asr", "hearth-tts", "hearth-wake",
                                          "hearth-skills", "hearth-intent"]
    for p in programs:
        assert p.installed and p.attribution.name == "Hearth" and p.version
    models = [*info.asr[0].models, *info.wake[0].models, *info.handle[0].models,
              *info.intent[0].models]
    assert all(m.installed and m.languages == ["en"] and m.attribution.name for m in models)
    assert info.asr[0].models[0].attribution.url.startswith("https://")
    asr = info.asr[0].models[0]  # the recognizer that loaded, as it describes itself
    assert (asr.name, asr.description) == ("whisper-tiny-en", "whisper") and asr.version
    voice = info.tts[0].voices[0]
    assert voice.name == "en_US-joe-medium" and voice.languages == ["en_US"] and voice.installed
    assert info.tts[0].supports_synthesize_streaming and info.asr[0].supports_transcript_streaming
    assert info.wake[0].models[0].name == "hey_jarvis"  # the real model's name (openWakeWord)
    assert info.wake[0].models[0].phrase == "hey jarvis"


# -- speech to text ------------------------------------------------------------------------
def transcribe(server, samples, rate, **fmt) -> list[Event]:
    return run(ask(server, Transcribe(language="en").event(),
                   *audio_events(samples, rate, **fmt), last="transcript-stop"))


def test_a_spoken_question_is_transcribed_with_streamed_words(server):
    samples, rate = read_wav_native(piper_wav("what time is it"))
    events = transcribe(server, samples, rate)  # 22.05 kHz, as piper speaks
    types = [e.type for e in events]
    assert types[0] == "transcript-start" and types[-2:] == ["transcript", "transcript-stop"]
    text = Transcript.from_event(events[-2]).text
    assert text == "what time is it"
    chunks = "".join(e.data["text"] for e in events if e.type == "transcript-chunk")
    assert chunks == text  # the partial words add up to the final text


def test_any_rate_width_and_channels_are_converted(server):
    """flite's 16 kHz voice sent as 48 kHz stereo 32-bit: resampled, mixed down, same words."""
    x = read_wav(flite_wav("set a timer for ten minutes", "slt")).astype(np.float32) / 32768
    up = resample(x, 16000, 48000)
    stereo = (np.stack([up, up * 0.5], axis=1) * 32767).astype(np.int16)
    events = transcribe(server, stereo, 48000, width=4, channels=2)
    assert Transcript.from_event(events[-2]).text == "set a timer for ten minutes"
    # and 8-bit mono at 11025 Hz
    low = (resample(x, 16000, 11025) * 32767).astype(np.int16)
    events = transcribe(server, low, 11025, width=1)
    assert Transcript.from_event(events[-2]).text == "set a timer for ten minutes"


def test_silence_gives_an_empty_transcript(server):
    events = transcribe(server, silence(1.0), 16000)
    assert Transcript.from_event(events[-2]).text == ""


# -- text to speech ------------------------------------------------------------------------
def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2))) if len(x) else 0.0


def test_synthesize_returns_audible_speech(server):
    events = run(ask(server, Synthesize(text="Your timer is done.").event(), last="audio-stop"))
    start = AudioStart.from_event(next(e for e in events if e.type == "audio-start"))
    assert (start.rate, start.width, start.channels) == (22050, 2, 1)
    audio = pcm(events)
    assert 0.5 < len(audio) / 22050 < 4 and rms(audio) > 500


def test_streamed_synthesis_speaks_before_the_last_sentence_is_sent(server):
    """The first audio arrives while the last sentence has not even been sent (so it cannot
    have been synthesized); the compatibility ``synthesize`` in between is ignored."""

    head, tail = "Good morning, it is seven o'clock. The", "kettle is on and the sky is clear."

    async def stream():
        async with server.client() as client:
            await client.write_event(SynthesizeStart().event())
            for word in head.split():  # token by token, as a language model writes
                await client.write_event(SynthesizeChunk(text=word + " ").event())
            first = await read_until(client, "audio-chunk")
            for word in tail.split():
                await client.write_event(SynthesizeChunk(text=" " + word).event())
            await client.write_event(Synthesize(text=f"{head} {tail}").event())
            await client.write_event(SynthesizeStop().event())
            return first, await read_until(client, "synthesize-stopped")

    first, rest = run(stream())
    assert first[0].type == "audio-start"
    events = first + rest
    types = [e.type for e in events]
    assert types.count("audio-start") == types.count("audio-stop") == 2  # one per sentence
    assert types[-1] == "synthesize-stopped" and types[-2] == "audio-stop"
    audio = pcm(events)
    # two sentences of speech (~4 s), not four (the ignored repeat would double it)
    assert 2.0 < len(audio) / 22050 < 6.0 and rms(audio) > 500


# -- wake word -----------------------------------------------------------------------------
def wake(server, samples, names=None, last="detection"):
    return run(ask(server, Detect(names=names).event(), *audio_events(samples, 16000), last=last))


def test_wake_word_detected_in_a_wav(server):
    x = read_wav(piper_wav("hey jarvis, what time is it"))
    audio = np.concatenate([silence(1.5), x, silence(1.0)])
    audio = audio + noise(len(audio) / 16000 + 0.1)[: len(audio)]
    events = wake(server, audio.astype(np.int16), names=["hey_jarvis"])
    hit = Detection.from_event(events[-1])
    assert hit.name == "hey_jarvis"
    assert 1500 <= hit.timestamp <= 1500 + len(x) / 16


def test_a_wake_word_the_client_does_not_ask_for_is_not_reported(server):
    x = read_wav(piper_wav("hey jarvis, what time is it"))
    audio = np.concatenate([silence(1.5), x, silence(1.0)])
    events = wake(server, audio, names=["okay_nabu"], last="not-detected")
    assert [e.type for e in events] == ["not-detected"]
    server.wait_log("the client listens for okay_nabu; this server has hey_jarvis")


def test_no_wake_word_means_not_detected(server):
    x = read_wav(piper_wav("hey there, the jar is on the desk"))
    audio = np.concatenate([silence(1.5), x, silence(1.0)])
    assert [e.type for e in wake(server, audio, last="not-detected")] == ["not-detected"]


# -- handling and intents ------------------------------------------------------------------
def test_a_timer_command_is_handled_and_follow_ups_stay_on_their_connection(server):
    async def go():
        async with server.client() as a, server.client() as b:
            await a.write_event(Transcript(text="set a timer for five minutes").event())
            set_five = Handled.from_event((await read_until(a, "handled"))[-1]).text
            await a.write_event(Transcript(text="set a timer").event())
            asked = Handled.from_event((await read_until(a, "handled"))[-1]).text
            # each connection has its own dialogue: b has nothing to repeat, a has its question
            await b.write_event(Transcript(text="say that again").event())
            other = (await b.read_event()).data["text"]
            await a.write_event(Transcript(text="say that again").event())
            again = (await a.read_event()).data["text"]
            await a.write_event(Transcript(text="twenty minutes").event())
            answered = Handled.from_event((await read_until(a, "handled"))[-1]).text
            # the timers live in the shared store: a third connection sees both
            async with server.client() as c:
                await c.write_event(Transcript(text="how much time is left on my timers").event())
                left = (await read_until(c, "handled"))[-1].data["text"]
            return set_five, asked, other, again, answered, left

    set_five, asked, other, again, answered, left = run(go())
    assert "5 minute" in set_five
    assert asked in ("For how long?", "How long should the timer be?")
    assert again == asked and other != asked
    assert "20 minute" in answered
    assert "5 minute" in left and "20 minute" in left, left


def test_conversation_id_keeps_the_dialogue_across_connections(server):
    ctx = {"conversation_id": "kitchen-42"}

    async def say(text):
        async with server.client() as client:
            await client.write_event(Transcript(text=text, context=ctx).event())
            return (await read_until(client, "handled"))[-1]

    assert "long" in run(say("set a timer")).data["text"].lower()
    done = run(say("three minutes"))
    assert "3 minute" in done.data["text"] and done.data["context"] == ctx


def test_recognize_gives_intent_with_resolved_entities(server):
    events = run(ask(server, Recognize(text="set a timer for five minutes").event(),
                     last="intent"))
    intent = Intent.from_event(events[-1])
    assert intent.name == "timer_set"
    assert {e.name: e.value for e in intent.entities} == {"duration": 300}
    events = run(ask(server, Recognize(text="add milk to the shopping list").event(),
                     last="intent"))
    entities = {e.name: e.value for e in Intent.from_event(events[-1]).entities}
    assert entities == {"item": "milk", "list": "shopping"}
    events = run(ask(server, Recognize(text="purple monkey dishwasher").event(),
                     last="not-recognized"))
    assert events[-1].type == "not-recognized"


def test_a_structured_intent_is_handled(server):
    from wyoming.intent import Entity

    events = run(ask(server, Intent(name="timer_set", entities=[Entity("duration", "two minutes")],
                                    text="set a two minute timer").event(), last="handled"))
    assert "2 minute" in events[-1].data["text"]


# -- many clients at once ------------------------------------------------------------------
def test_twenty_clients_at_once_stay_within_memory_and_a_21st_is_refused(server):
    question = read_wav(piper_wav("what time is it"))
    wake_audio = np.concatenate([silence(1.5), read_wav(piper_wav("hey jarvis, what time is it")),
                                 silence(1.0)])

    async def connected():
        """A client the server took (streams of earlier tests may still be finishing)."""
        for _ in range(100):
            client = server.client()
            try:
                await client.connect()
                await client.write_event(Describe().event())
                if (reply := await client.read_event()) is not None and reply.type == "info":
                    return client
            except ConnectionError:
                pass
            with contextlib.suppress(ConnectionError):
                await client.disconnect()
            await asyncio.sleep(0.1)
        raise AssertionError("the server never took a connection")

    async def one(i: int, barrier: asyncio.Barrier) -> str:
        client = await connected()
        try:
            return await streams(client, i, barrier)
        finally:
            with contextlib.suppress(ConnectionError):
                await client.disconnect()

    async def streams(client, i: int, barrier: asyncio.Barrier) -> str:
        kind = i % 3
        if kind == 0:
            await client.write_event(Transcribe().event())
            events = list(audio_events(question, 16000))
        elif kind == 1:
            await client.write_event(Detect().event())
            events = list(audio_events(wake_audio, 16000))
        else:
            events = [Synthesize(text="It is seven o'clock. The kettle is on.").event()]
        for e in events[:-1]:
            await client.write_event(e)
        await barrier.wait()  # all twenty connected, every stream open
        if i == 0:
            async with server.client() as extra:  # told at once, before it says anything
                refused.append(await extra.read_event())
        await barrier.wait()
        await client.write_event(events[-1])
        last = {0: "transcript-stop", 1: "detection", 2: "audio-stop"}[kind]
        got = await read_until(client, last)
        if kind == 0:
            return Transcript.from_event(got[-2]).text
        return last

    async def round_of_twenty():
        barrier = asyncio.Barrier(20)
        return await asyncio.gather(*(one(i, barrier) for i in range(20)))

    refused: list[Event | None] = []
    samples: list[float] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            samples.append(server.rss_mb())

    before = server.rss_mb()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results = run(round_of_twenty())
    after = [server.rss_mb()]
    for _ in range(2):
        run(round_of_twenty())
        after.append(server.rss_mb())
    done.set()
    sampler.join()
    peak = max(samples)
    print(f"server RSS: before {before:.0f} MB, peak {peak:.0f} MB, after each of three rounds "
          + ", ".join(f"{a:.0f}" for a in after) + " MB")
    assert results.count("what time is it") == 7 and results.count("detection") == 7
    assert refused[0] is not None and refused[0].type == "error"
    assert refused[0].data.get("code") == "busy"
    assert server.logged("refused", "wyoming.max_connections"), server.log[-2000:]
    # 20 open streams: a recognizer (8 MB) or a wake detector (14 MB) each, nothing more
    assert peak - before < 400, (before, peak, after)
    # and later rounds reuse what the first made (malloc keeps what it freed): no growth
    assert after[2] - after[1] < 40, (before, peak, after)


@pytest.mark.skipif(ctypes.util.find_library("seccomp") is None, reason="no libseccomp")
def test_every_service_runs_under_write_xor_execute():
    """Under MemoryDenyWriteExecute=yes (a hardening a user may add back to hearth-wyoming.service)
    every service still works: Whisper cannot build its x86 kernels there and gives way to
    pocketsphinx in one log line."""
    srv = WyomingProcess("--uri", "tcp://127.0.0.1:0", "--generation-enabled", "false",
                         prelude=WX_FILTER)
    try:
        x = read_wav(piper_wav("hey jarvis, what time is it"))
        heard = run(ask(srv, Transcribe().event(), *audio_events(x, 16000),
                        last="transcript-stop"))
        x = np.concatenate([silence(1.5), x, silence(1.0)])
        woke = run(ask(srv, Detect().event(), *audio_events(x, 16000), last="detection"))
        spoken = run(ask(srv, Synthesize(text="It is noon.").event(), last="audio-stop"))
        handled = run(ask(srv, Transcript(text="add eggs to my list").event(), last="handled"))
    finally:
        assert srv.close() == 0, srv.log[-2000:]
    assert Transcript.from_event(heard[-2]).text == "hey jarvis what time is it"
    assert "hearing with pocketsphinx instead" in srv.log
    assert woke[-1].type == "detection" and rms(pcm(spoken)) > 500
    assert "eggs" in handled[-1].data["text"].lower()


def test_server_answers_while_a_long_synthesis_runs(server):
    """A long request on one connection does not hold up another's describe."""
    long_text = " ".join(["This sentence is one of many in a long story."] * 12)

    async def go():
        async with server.client() as slow, server.client() as quick:
            await slow.write_event(Synthesize(text=long_text).event())
            await read_until(slow, "audio-chunk")
            t = time.monotonic()
            await quick.write_event(Describe().event())
            await read_until(quick, "info")
            waited = time.monotonic() - t
            await read_until(slow, "audio-stop")
            return waited

    assert run(go()) < 2.0


def test_audio_chunk_without_a_request_goes_to_speech_to_text(server):
    x = read_wav(piper_wav("what time is it"))
    events = run(ask(server, *audio_events(x, 16000), last="transcript-stop"))
    assert Transcript.from_event(events[-2]).text == "what time is it"
