"""The benchmarks' paused speech: a pause where people make one, the words unchanged."""

from __future__ import annotations

import random

import numpy as np
from bench_helpers import bench_module

speech = bench_module("speech")
TEXT = "what is the weather in paris tomorrow"


def test_a_pause_falls_between_words_after_the_second() -> None:
    for seed in range(20):
        said = speech.pause_in(TEXT, random.Random(seed))
        first, rest = said.split(speech.PAUSE)
        assert f"{first} {rest}" == TEXT
        assert len(first.split()) >= 2 and rest
    assert speech.pause_in("stop the music", random.Random(0)) == "stop the music"


def longest_silence_s(x: np.ndarray) -> float:
    """The longest run of 10 ms frames under -50 dBFS, the 0.35 s at either end left out."""
    frames = x[: len(x) // 160 * 160].reshape(-1, 160).astype(np.float64)
    quiet = np.sqrt((frames ** 2).mean(axis=1)) < 32768 * 10 ** (-50 / 20)
    best = run = 0
    for q in quiet[35:-35]:
        run = run + 1 if q else 0
        best = max(best, run)
    return best / 100


def test_paused_speech_holds_a_silence_mid_sentence(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    voices = speech.Voices()
    paused = speech.read(voices.wav("espeak:en-us", TEXT, "paused"))
    clean = speech.read(voices.wav("espeak:en-us", TEXT, "clean"))
    assert longest_silence_s(paused) >= 0.5
    assert longest_silence_s(clean) < 0.3
    assert len(paused) > len(clean) + 0.5 * speech.RATE
