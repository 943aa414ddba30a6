"""Real piper and espeak-ng synthesis: audible, plausible length, streamed, and the fallback."""

from __future__ import annotations

import logging
import shutil
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from assistant.cli import main
from assistant.config import TtsConfig
from assistant.errors import ConfigError
from assistant.models.registry import locate
from assistant.tts.espeak import EspeakSynth
from assistant.tts.factory import make_synthesizer
from assistant.tts.piper_voice import PiperSynth

TEXT = "Hello there. The kitchen timer is set for ten minutes."
MULTI = ("The weather today is sunny and warm. Tomorrow brings light rain in the afternoon. "
         "The weekend looks dry and cool. Enjoy your evening at home.")


@pytest.fixture(scope="module")
def piper() -> PiperSynth:
    return PiperSynth(locate("joe-medium"))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def check_speech(chunks: list[np.ndarray], rate: int, text: str) -> None:
    assert chunks and all(c.dtype == np.int16 and c.ndim == 1 for c in chunks)
    audio = np.concatenate(chunks)
    assert rms(audio) > 1000  # speech at volume 0.8 is far above silence
    per_char = len(audio) / rate / len(text)
    assert 0.04 <= per_char <= 0.15, per_char


def test_piper_speaks_each_sentence(piper: PiperSynth) -> None:
    chunks = list(piper.stream(TEXT))
    assert piper.sample_rate == 22050 and len(chunks) == 2
    check_speech(chunks, piper.sample_rate, TEXT)


def test_piper_first_chunk_comes_before_the_rest_is_synthesized(piper: PiperSynth) -> None:
    calls: list[str] = []
    real = piper.voice.synthesize

    def counting(text: str, *a: object, **k: object) -> object:
        calls.append(text)
        return real(text, *a, **k)

    piper.voice.synthesize = counting  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        stream = piper.stream(MULTI)
        first = next(stream)
        t_first = time.perf_counter() - start
        assert len(calls) == 1 and first.size > 0
        rest = list(stream)
        t_total = time.perf_counter() - start
    finally:
        del piper.voice.synthesize
    assert len(calls) == 4 and len(rest) == 3
    assert t_first < 0.7 * t_total, (t_first, t_total)


def test_volume_and_length_scale_apply() -> None:
    loud = list(PiperSynth(locate("joe-medium"), volume=0.8).stream("Good morning."))
    quiet_slow = list(PiperSynth(locate("joe-medium"), volume=0.4, length_scale=1.5)
                      .stream("Good morning."))
    def peak(chunks: list[np.ndarray]) -> int:
        return int(np.abs(np.concatenate(chunks).astype(np.int32)).max())

    assert 0.4 < peak(quiet_slow) / peak(loud) < 0.6
    assert sum(map(len, quiet_slow)) > 1.25 * sum(map(len, loud))


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_espeak_speaks_and_text_is_never_an_option() -> None:
    synth = EspeakSynth()
    chunks = list(synth.stream(TEXT))
    assert len(chunks) == 2 and synth.sample_rate == 22050
    check_speech(chunks, synth.sample_rate, TEXT)
    assert rms(np.concatenate(list(synth.stream("-w /tmp/x --help")))) > 1000


def test_corrupt_or_missing_voice_falls_back_to_espeak(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    real = locate("joe-medium")
    bad = tmp_path / "broken.onnx"
    bad.write_bytes(real.read_bytes()[:200_000])  # truncated download
    shutil.copy(f"{real}.json", f"{bad}.json")
    for voice in (str(bad), str(tmp_path / "absent.onnx")):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            synth = make_synthesizer(TtsConfig(voice=voice))
        assert synth.name == "espeak-ng"
        [record] = caplog.records
        assert "speaking with espeak-ng instead" in record.getMessage()
        assert "\n" not in record.getMessage()
    check_speech(list(synth.stream(TEXT)), synth.sample_rate, TEXT)


def test_factory_default_is_joe_and_bad_config_is_one_line() -> None:
    assert make_synthesizer(TtsConfig()).name == "piper:en_US-joe-medium"
    with pytest.raises(ConfigError, match="tts.engine must be one of piper, espeak, got 'festival'"):
        make_synthesizer(TtsConfig(engine="festival"))
    with pytest.raises(ConfigError, match="tts.volume"):
        make_synthesizer(TtsConfig(volume=5.0))


def test_say_cli_writes_a_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hi.wav"
    assert main(["say", "--tts-engine", "espeak", "Hello", "there.", "-o", str(out)]) == 0
    with wave.open(str(out)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        assert w.getframerate() == 22050 and 0.4 < len(audio) / 22050 < 2.5
    assert rms(audio) > 1000 and "espeak-ng" in capsys.readouterr().out
    assert main(["say", " ", "-o", str(out)]) == 1
    assert capsys.readouterr().err.strip() == "error: say: nothing to say (the text is empty)"
