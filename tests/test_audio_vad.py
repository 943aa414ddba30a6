"""The energy endpointer on real synthesized speech, silence, a noisy room and endless noise."""

from __future__ import annotations

import numpy as np
import pytest
from synth_helpers import noise, piper_wav, silence, voiced_span

from assistant.audio.endpoint import Status
from assistant.audio.vad import EnergyEndpointer
from assistant.audio.wav import read_wav
from assistant.config import EndpointConfig


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return read_wav(piper_wav("set a timer for ten minutes"))


def run(ep: EnergyEndpointer, x: np.ndarray, block: int = 480) -> Status:
    for i in range(0, len(x), block):
        status = ep.feed(x[i : i + block])
        if status.done:
            break
    return ep.status


@pytest.mark.parametrize("background", ["silence", "room noise"])
def test_speech_then_silence_endpoints(speech, background):
    lead, tail = 1.0, 2.0
    x = np.concatenate([silence(lead), speech, silence(tail)])
    if background == "room noise":
        x = (x + noise(len(x) / 16000, level=0.003)).astype(np.int16)
    t0, t1 = voiced_span(speech)
    ep = EnergyEndpointer(EndpointConfig(silence_ms=700))
    assert run(ep, x, block=512) is Status.ENDPOINT  # block size need not match frames
    assert ep.speech_start == pytest.approx(lead + t0, abs=0.12)
    assert ep.speech_end == pytest.approx(lead + t1, abs=0.15)
    # declared after silence_ms of trailing silence, not later
    assert ep.elapsed - ep.speech_end == pytest.approx(0.7, abs=0.035)


def test_pauses_between_words_do_not_end_the_utterance(speech):
    x = np.concatenate([silence(0.5), speech, silence(0.4), speech, silence(1.0)])
    ep = EnergyEndpointer(EndpointConfig(silence_ms=700))
    assert run(ep, x) is Status.ENDPOINT
    assert ep.speech_end > 0.5 + 0.4 + len(speech) / 16000


def test_early_endpoint_uses_the_short_wait(speech):
    x = np.concatenate([silence(0.5), speech, silence(1.5)])
    cfg = EndpointConfig(silence_ms=700, early_silence_ms=200)
    normal, early = EnergyEndpointer(cfg), EnergyEndpointer(cfg)
    run(normal, x)
    for i in range(0, len(x), 480):
        if early.feed(x[i : i + 480]).done:
            break
        if early.heard_speech and early.trailing_silence_ms >= 100:
            early.end_early()  # the partial parsed as a confident command
    assert early.status is Status.ENDPOINT
    assert early.elapsed - early.speech_end == pytest.approx(0.2, abs=0.035)
    assert normal.elapsed - early.elapsed == pytest.approx(0.5, abs=0.035)


def test_end_early_after_enough_silence_ends_at_once(speech):
    ep = EnergyEndpointer(EndpointConfig(silence_ms=700, early_silence_ms=200))
    run(ep, np.concatenate([silence(0.3), speech, silence(0.3)]))
    assert ep.status is Status.SPEECH
    assert ep.end_early() is Status.ENDPOINT


def test_pure_silence_gives_no_speech():
    ep = EnergyEndpointer(EndpointConfig(no_speech_timeout_s=3.0))
    assert run(ep, silence(5.0)) is Status.NO_SPEECH
    assert ep.elapsed == pytest.approx(3.0, abs=0.031)
    assert not ep.heard_speech


def test_quiet_room_noise_is_not_speech():
    ep = EnergyEndpointer(EndpointConfig(no_speech_timeout_s=4.0))
    assert run(ep, noise(6.0, level=0.01)) is Status.NO_SPEECH


def test_endless_loud_noise_is_capped():
    # Babble-like noise: loud, modulated, never quiet for long (a TV next to the speaker).
    n = noise(16.0, level=0.2, seed=3).astype(np.float32)
    env = 0.6 + 0.4 * np.sin(2 * np.pi * 3 * np.arange(len(n)) / 16000)
    x = np.concatenate([silence(0.5), (n * env).astype(np.int16)])
    ep = EnergyEndpointer(EndpointConfig(max_utterance_s=12.0))
    assert run(ep, x) is Status.MAX_LENGTH
    assert ep.elapsed - ep.speech_start == pytest.approx(12.0, abs=0.031)


def test_no_speech_override_and_speech_start(speech):
    ep = EnergyEndpointer(EndpointConfig(no_speech_timeout_s=6.0), no_speech_timeout_s=1.0)
    assert ep.feed(silence(1.2)) is Status.NO_SPEECH and not ep.heard_speech
    ep.reset()
    status = ep.feed(np.concatenate([silence(0.3), speech[:8000]]))
    assert ep.heard_speech and ep.speech_start == pytest.approx(0.3, abs=0.15)
    assert ep.in_speech and not status.done


def test_reset_keeps_the_noise_floor(speech):
    ep = EnergyEndpointer()
    run(ep, noise(2.0, level=0.01))
    floor = ep.floor_db
    ep.reset()
    assert ep.floor_db == floor and ep.status is Status.WAITING and ep.elapsed == 0
    ep.reset(keep_floor=False)
    assert ep.floor_db is None


def _longest_pause_before_last_word(ep: EnergyEndpointer, x: np.ndarray, last_word_end: float) -> float:
    longest = 0.0
    for i in range(0, len(x), 480):
        status = ep.feed(x[i : i + 480])
        if status is Status.SPEECH and ep.elapsed < last_word_end - 0.25:
            longest = max(longest, ep.trailing_silence_ms)
        if status.done:
            break
    return longest


def test_noisy_room_keeps_weak_syllables_and_waits_longer_to_end_early(speech):
    """At 10 dB SNR weak syllables sink under floor + 10 dB for 400 ms; with the 6 dB
    hysteresis no pause inside the command reaches the (doubled) early wait."""
    x = np.concatenate([silence(1.0), speech, silence(1.5)]).astype(np.float64)
    power = np.mean(speech.astype(np.float64) ** 2)
    noisy = x + np.random.default_rng(0).normal(0, np.sqrt(power / 10), len(x))
    noisy = np.clip(noisy, -32768, 32767).astype(np.int16)
    end = 1.0 + voiced_span(speech)[1]
    ep = EnergyEndpointer(EndpointConfig(early_silence_ms=150))
    longest = _longest_pause_before_last_word(ep, noisy, end)
    assert ep.early_silence_ms == 300  # a noisy room: twice the early wait
    assert longest < ep.early_silence_ms
    no_hysteresis = EnergyEndpointer(EndpointConfig(early_silence_ms=150), continue_margin_db=10.0)
    assert _longest_pause_before_last_word(no_hysteresis, noisy, end) > 300  # what it fixes
    quiet = EnergyEndpointer(EndpointConfig(early_silence_ms=150))
    _longest_pause_before_last_word(quiet, x.astype(np.int16), end)
    assert quiet.early_silence_ms == 150  # a quiet room keeps the short wait


def test_a_voice_that_rises_slowly_still_opens_speech():
    """Frames between the floor and the speech margin used to pull the floor up fast, so a
    gentle onset dragged the floor along and never counted as speech (2 of 52 benchmark
    commands at 10 dB SNR were never heard)."""
    t = np.arange(16000 * 2) / 16000
    level_db = np.clip(-50 + 30 * t, -50, -20)  # rises ~1 dB per 30 ms frame, then holds
    tone = np.sin(2 * np.pi * 300 * t) * np.sqrt(2) * 10 ** (level_db / 20) * 32768
    x = np.concatenate([noise(1.0, level=10 ** (-50 / 20)), tone.astype(np.int16), silence(1.0)])
    ep = EnergyEndpointer(EndpointConfig())
    assert run(ep, x) is Status.ENDPOINT
    assert 1.0 < ep.speech_start < 1.6
