"""openWakeWord on real synthesized speech; the engine choice and its fallbacks; ``assistant wake``."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from synth_helpers import espeak_wav, flite_wav, noise, piper_wav, silence

from assistant.audio.wav import read_wav, write_wav
from assistant.config import WakeConfig
from assistant.errors import ConfigError
from assistant.models.registry import Registry
from assistant.wake.base import scan
from assistant.wake.factory import make_detector, wake_phrases
from assistant.wake.openwakeword import CHUNK, OpenWakeWordDetector, Trigger

POSITIVE = [
    lambda: piper_wav("hey jarvis, what time is it"),
    lambda: piper_wav("hey jarvis", length_scale=1.2),
    lambda: flite_wav("hey jarvis, set a timer", "slt"),
    lambda: flite_wav("hey jarvis", "awb"),
    lambda: espeak_wav("hey jarvis, turn on the lights", "en-us"),
]
NEGATIVE = [
    lambda: piper_wav("set a timer for ten minutes"),
    lambda: piper_wav("hey there, how are you"),
    lambda: piper_wav("the jar is on the shelf, next to the harvest"),
    lambda: flite_wav("what is the weather like in paris", "slt"),
    lambda: flite_wav("a harvest of jam for the neighbours", "kal16"),
    lambda: espeak_wav("add milk and eggs to my shopping list", "en-us"),
]
# "jarvis" without "hey": the shipped setting (0.2, two frames) fires on this one; 0.5 and one
# frame, the strict setting the README gives a household with a Jarvis in it, must not.
NEAR_MISS = lambda: flite_wav("jeremy jarvis is a character in a book", "kal16")  # noqa: E731


@pytest.fixture(scope="module")
def detector():
    return make_detector(WakeConfig())


def test_the_default_is_openwakeword_on_hey_jarvis(detector):
    assert isinstance(detector, OpenWakeWordDetector)
    assert detector.words == ["hey jarvis"] and wake_phrases(WakeConfig()) == ["hey jarvis"]


def test_detects_every_wake_phrase_in_a_long_stream_and_nothing_else(detector):
    parts, expected, t = [silence(1.0)], [], 1.0
    clips = [(True, f) for f in POSITIVE] + [(False, f) for f in NEGATIVE]
    for positive, make in [clips[i] for i in (5, 0, 6, 7, 1, 8, 2, 9, 3, 10, 4)]:  # interleaved
        x = read_wav(make())
        if positive:
            expected.append((t, t + len(x) / 16000))
        parts += [x, silence(1.5)]
        t += len(x) / 16000 + 1.5
    audio = np.concatenate(parts)
    audio = (audio + noise(len(audio) / 16000, level=0.002)[: len(audio)]).astype(np.int16)
    found = scan(detector, audio)
    assert [d.name for d in found] == ["hey_jarvis"] * len(expected), (found, expected)
    for d, (a, b) in zip(found, expected, strict=True):
        assert a + 0.4 < d.time < min(b + 0.5, a + 1.6), (d, a, b)  # right after "hey jarvis"
        assert detector.trigger.threshold <= d.score <= 1


@pytest.mark.parametrize("threshold, level", [(0.5, 1), (0.05, 2)])
def test_recorded_scores_replayed_through_the_trigger_decide_as_the_live_detector(threshold,
                                                                                  level):
    """The wake benchmark's sweep replays recorded scores through ``Trigger``; at a low
    threshold the words around the phrase fire too, so the deaf spell after a fire counts."""
    live = OpenWakeWordDetector(["hey_jarvis", "alexa"], threshold, level)
    audio = np.concatenate([silence(1.0), read_wav(POSITIVE[0]()), read_wav(NEGATIVE[1]()),
                            read_wav(POSITIVE[2]()), silence(0.3), read_wav(NEGATIVE[4]())])
    audio = audio[: len(audio) // CHUNK * CHUNK]
    live.reset()
    t0 = live.elapsed
    fired = [live.last.time for i in range(0, len(audio), CHUNK)
             if live.accept(audio[i : i + CHUNK])]
    live.reset()
    trigger = Trigger(threshold, level, [16, 16])
    replayed = [(k + 1) * CHUNK / 16000
                for k, scores in enumerate(s for i in range(0, len(audio), CHUNK)
                                           for s in live.frame_scores(audio[i : i + CHUNK]))
                if trigger.step(scores) is not None]
    assert len(fired) >= 2 and [round(t - t0, 3) for t in fired] == pytest.approx(replayed)


def test_the_strict_setting_ignores_the_name_alone():
    strict = make_detector(WakeConfig(threshold=0.5, trigger_level=1))
    audio = np.concatenate([silence(1.0), read_wav(NEAR_MISS()), silence(1.5)])
    assert scan(strict, audio) == []


def test_several_wake_words_at_once():
    both = make_detector(WakeConfig(model=["hey_jarvis", "alexa"]))
    assert both.words == ["hey jarvis", "alexa"]
    audio = np.concatenate([read_wav(piper_wav("alexa, what time is it")), silence(1.5),
                            read_wav(piper_wav("hey jarvis, what time is it"))])
    assert [d.name for d in scan(both, audio)] == ["alexa", "hey_jarvis"]


@pytest.mark.parametrize("voice", ["piper", "slt"])
def test_a_command_said_without_a_pause_keeps_its_first_word(detector, voice):
    """The model decides 0.2-0.3 s after the phrase, inside the command; what the recognizer
    gets starts where the phrase ended."""
    from assistant.asr.factory import make_recognizer
    from assistant.config import AsrConfig

    say = (lambda t: read_wav(piper_wav(t))) if voice == "piper" else (
        lambda t: read_wav(flite_wav(t, voice)))
    loud = lambda x: np.flatnonzero(np.abs(x.astype(np.int32)) > 100)  # noqa: E731
    recognizer = make_recognizer(AsrConfig())
    for text in ("what time is it", "set a timer for five minutes"):
        wake, command = say("hey jarvis"), say(text)
        wake, command = wake[: loud(wake)[-1] + 1], command[loud(command)[0] :]
        audio = np.concatenate([silence(1.5), wake, command, silence(1.0)])
        detector.reset()
        for i in range(0, len(audio), 480):
            if detector.accept(audio[i : i + 480]):
                break
        after = np.concatenate([detector.audio_after_phrase(), audio[i + 480 :]])
        recognizer.reset()
        recognizer.accept(after)
        assert recognizer.final().text == text


def test_config_errors():
    with pytest.raises(ConfigError, match="neither a bundled model"):
        make_detector(WakeConfig(model=["hey_jarvsi"]))
    with pytest.raises(ConfigError, match="empty"):
        make_detector(WakeConfig(model=[]))
    with pytest.raises(ConfigError, match="threshold"):
        make_detector(WakeConfig(threshold=1e-30))
    with pytest.raises(ConfigError, match="trigger_level"):
        make_detector(WakeConfig(trigger_level=0))
    with pytest.raises(ConfigError, match="wake.engine"):
        make_detector(WakeConfig(engine="porcupine"))


def test_pocketsphinx_engine_spots_the_first_models_words_or_any_phrase():
    sphinx = make_detector(WakeConfig(engine="pocketsphinx"))
    assert sphinx.name == "pocketsphinx" and sphinx.words == ["hey jarvis"]
    custom = WakeConfig(engine="pocketsphinx", phrase="hey hearthling")
    assert make_detector(custom).words == wake_phrases(custom) == ["hey hearthling"]


def _fallback_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "assistant.wake.factory"]


@pytest.mark.parametrize("make_model, problem", [
    (lambda d: d / "missing.tflite", "does not exist"),
    (lambda d: _write(d / "hey_hearth.tflite", os.urandom(5000)), "not a valid TFLite file"),
    (lambda d: _write(d / "mel.tflite", (Registry().locate("openwakeword-features")
                                         / "melspectrogram.tflite").read_bytes()),
     "not an openWakeWord model"),
])
def test_a_broken_user_model_falls_back_to_pocketsphinx(tmp_path, caplog, capfd, make_model,
                                                        problem):
    caplog.set_level(logging.WARNING)
    path = make_model(tmp_path)
    det = make_detector(WakeConfig(model=[str(path)]))
    assert det.name == "pocketsphinx" and det.words == [path.stem.replace("_", " ")]
    lines = _fallback_lines(caplog)
    assert len(lines) == 1 and problem in lines[0] and "pocketsphinx" in lines[0], lines
    assert capfd.readouterr().err == ""  # TFLite's own complaint does not reach the terminal


def test_a_corrupt_bundled_model_falls_back_with_one_line(tmp_path, monkeypatch, caplog):
    good = Registry().locate("openwakeword-hey-jarvis")
    folder = tmp_path / "openwakeword-hey-jarvis"
    folder.mkdir()
    _write(folder / good.name, bytes(good.stat().st_size))  # same size, so only a hash tells
    monkeypatch.setenv("HEARTH_MODELS_DIR", str(tmp_path))
    caplog.set_level(logging.WARNING)
    det = make_detector(WakeConfig())
    lines = _fallback_lines(caplog)
    assert det.name == "pocketsphinx" and det.words == ["hey jarvis"]
    assert len(lines) == 1 and "corrupt" in lines[0] and "'hey jarvis'" in lines[0], lines
    x = np.concatenate([silence(0.5), read_wav(piper_wav("hey jarvis, what time is it"))])
    assert [d.name for d in scan(det, x)] == ["hey jarvis"]  # and it still wakes


def test_a_broken_pocketsphinx_model_falls_back_to_openwakeword(tmp_path, monkeypatch, caplog):
    good = Registry().model_dir("pocketsphinx-en-us")
    broken = tmp_path / "pocketsphinx-en-us"
    shutil.copytree(good, broken, ignore=lambda d, names: [n for n in names if n == "mdef"])
    _write(broken / "en-us" / "mdef", bytes((good / "en-us" / "mdef").stat().st_size))
    monkeypatch.setenv("HEARTH_MODELS_DIR", str(tmp_path))
    caplog.set_level(logging.WARNING)
    det = make_detector(WakeConfig(engine="pocketsphinx", phrase="hey computer"))
    lines = _fallback_lines(caplog)
    assert det.name == "openwakeword"
    assert len(lines) == 1 and "corrupt" in lines[0] and "'hey jarvis'" in lines[0], lines


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", "wake", *args],
                          capture_output=True, text=True, timeout=300)


def test_wake_command_prints_one_json_object_per_file_in_order(tmp_path):
    files = [write_wav(tmp_path / "a.wav", read_wav(piper_wav("hey jarvis, what time is it"))),
             write_wav(tmp_path / "b.wav", read_wav(piper_wav("set a timer for ten minutes"))),
             tmp_path / "missing.wav",
             Path(flite_wav("alexa, stop", "slt"))]  # 16 kHz flite file as it is
    r = _cli("--json", *map(str, files), "--wake-model", "hey_jarvis,alexa")
    assert r.returncode == 1, r.stderr  # one file could not be read
    objs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["file"] for o in objs] == [str(f) for f in files]
    assert [d["name"] for d in objs[0]["detections"]] == ["hey_jarvis"]
    assert 0.5 < objs[0]["detections"][0]["time"] < 1.5
    assert objs[1]["detections"] == [] and "no such file" in objs[2]["error"]
    assert [d["name"] for d in objs[3]["detections"]] == ["alexa"]


def test_wake_command_on_a_broken_model_says_one_line_and_still_runs(tmp_path):
    bad = _write(tmp_path / "hey_jarvis.tflite", os.urandom(3000))
    wav = write_wav(tmp_path / "a.wav", read_wav(piper_wav("hey jarvis, what time is it")))
    r = _cli("--json", str(wav), "--wake-model", str(bad))
    assert r.returncode == 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a valid TFLite file" in lines[0], r.stderr
    assert [d["name"] for d in json.loads(r.stdout)["detections"]] == ["hey jarvis"]
