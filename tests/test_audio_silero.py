"""Silero VAD endpointing on real synthesized speech, loud noise and a damaged model."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from synth_helpers import noise, piper_wav, silence, voiced_span

from assistant.audio.endpoint import Status
from assistant.audio.endpointers import make_endpointer
from assistant.audio.silero import SileroEndpointer
from assistant.audio.vad import EnergyEndpointer
from assistant.audio.wav import read_wav
from assistant.config import EndpointConfig
from assistant.errors import ConfigError
from assistant.models.registry import Registry


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return read_wav(piper_wav("set a timer for ten minutes"))


def run(ep, x: np.ndarray, block: int = 480, last_word_end: float = 0.0) -> tuple[Status, float]:
    """Final status, and the longest pause seen before ``last_word_end`` (seconds)."""
    longest = 0.0
    for i in range(0, len(x), block):
        status = ep.feed(x[i : i + block])
        if status is Status.SPEECH and ep.elapsed < last_word_end - 0.25:
            longest = max(longest, ep.trailing_silence_ms)
        if status.done:
            break
    return ep.status, longest


def pink(seconds: float, rms: float, seed: int = 0) -> np.ndarray:
    n = int(seconds * 16000)
    spec = np.fft.rfft(np.random.default_rng(seed).normal(0, 1, n))
    spec /= np.sqrt(np.maximum(np.fft.rfftfreq(n, 1 / 16000), 50.0))
    x = np.fft.irfft(spec, n)
    return x / np.std(x) * rms


def test_the_default_is_silero():
    assert isinstance(make_endpointer(EndpointConfig()), SileroEndpointer)
    assert isinstance(make_endpointer(EndpointConfig(vad="energy")), EnergyEndpointer)


@pytest.mark.parametrize("snr_db", [None, 10.0])
def test_speech_opens_and_ends_at_the_voice(speech, snr_db):
    lead = 1.0
    x = np.concatenate([silence(lead), speech, silence(2.0)]).astype(np.float64)
    if snr_db is not None:  # pink noise: the energy endpointer cut this command short
        x += pink(len(x) / 16000, np.sqrt(np.mean(speech.astype(np.float64) ** 2) / 10 ** (snr_db / 10)))
    x = np.clip(x, -32768, 32767).astype(np.int16)
    t0, t1 = voiced_span(speech)
    ep = SileroEndpointer(EndpointConfig(silence_ms=700))
    status, longest = run(ep, x, block=512, last_word_end=lead + t1)
    assert status is Status.ENDPOINT
    assert ep.speech_start == pytest.approx(lead + t0, abs=0.15)
    # the end is estimated to within a frame or three; a whole word is 300 ms and more
    assert lead + t1 - 0.15 < ep.speech_end < lead + t1 + 0.2
    assert longest < ep.early_silence_ms  # no pause inside the command could end it early
    assert ep.elapsed - ep.speech_end == pytest.approx(0.7, abs=0.04)


@pytest.mark.parametrize("make", [lambda: pink(8.0, 3000), lambda: noise(8.0, level=0.1)])
def test_loud_noise_is_not_speech(make):
    """A tap or a fan switched on in a quiet room: a level meter takes it for a voice."""
    x = np.concatenate([silence(1.0), np.clip(make(), -32768, 32767).astype(np.int16)])
    ep = SileroEndpointer(EndpointConfig(no_speech_timeout_s=6.0))
    assert run(ep, x)[0] is Status.NO_SPEECH and not ep.heard_speech
    assert run(EnergyEndpointer(EndpointConfig(no_speech_timeout_s=6.0)), x)[0] is not Status.NO_SPEECH


def test_minimum_speech_length():
    word = np.concatenate([silence(0.5), read_wav(piper_wav("stop")), silence(1.5)])
    assert run(SileroEndpointer(EndpointConfig()), word)[0] is Status.ENDPOINT
    strict = SileroEndpointer(EndpointConfig(min_speech_ms=800, no_speech_timeout_s=2.0))
    assert run(strict, word)[0] is Status.NO_SPEECH


def test_reset_starts_a_new_utterance(speech):
    ep = SileroEndpointer()
    run(ep, np.concatenate([silence(0.5), speech, silence(1.0)]))
    assert ep.status is Status.ENDPOINT
    ep.reset()
    assert ep.status is Status.WAITING and ep.elapsed == 0 and not ep.heard_speech
    assert run(ep, np.concatenate([silence(0.3), speech, silence(1.0)]))[0] is Status.ENDPOINT


def test_config_errors():
    with pytest.raises(ConfigError, match="endpoint.vad"):
        make_endpointer(EndpointConfig(vad="webrtc"))
    with pytest.raises(ConfigError, match="silence_threshold"):
        make_endpointer(EndpointConfig(speech_threshold=0.3, silence_threshold=0.6))


def test_a_damaged_model_falls_back_to_the_energy_endpointer(tmp_path, monkeypatch, caplog):
    good = Registry().locate("silero-vad")
    (tmp_path / "silero-vad").mkdir()
    (tmp_path / "silero-vad" / good.name).write_bytes(bytes(good.stat().st_size))
    monkeypatch.setenv("HEARTH_MODELS_DIR", str(tmp_path))
    caplog.set_level(logging.WARNING)
    ep = make_endpointer(EndpointConfig())
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.audio.endpointers"]
    assert isinstance(ep, EnergyEndpointer)
    assert len(lines) == 1 and "corrupt" in lines[0] and "energy" in lines[0], lines
