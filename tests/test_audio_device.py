"""Microphone and speaker on a machine without sound hardware: one clear line, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant.audio import device
from assistant.errors import AudioError


def has_devices() -> bool:
    import sounddevice as sd

    return len(sd.query_devices()) > 0


def test_parse_device():
    assert device.parse_device("") is None
    assert device.parse_device(None) is None
    assert device.parse_device("2") == 2
    assert device.parse_device(" USB mic ") == "USB mic"


def test_list_devices_is_text():
    text = device.list_devices()
    assert isinstance(text, str) and text
    if not has_devices():
        assert text == "no audio devices found (PortAudio sees none)"


@pytest.mark.parametrize("spec", ["no-such-microphone", "97"])
def test_missing_microphone_is_one_line(spec):
    with pytest.raises(AudioError) as e:
        device.MicSource(spec)
    msg = str(e.value)
    assert "\n" not in msg and "input" in msg and "assistant devices" in msg


def test_missing_speaker_is_one_line():
    with pytest.raises(AudioError) as e:
        device.SpeakerSink("no-such-speaker")
    assert "\n" not in str(e.value) and "output" in str(e.value)


@pytest.mark.skipif(has_devices(), reason="this machine has audio devices")
def test_default_devices_missing_here():
    with pytest.raises(AudioError, match="the default"):
        device.MicSource("")
    with pytest.raises(AudioError, match="the default"):
        device.SpeakerSink("")


def test_missing_portaudio_library_is_one_line(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(AudioError, match="install libportaudio2"):
        device.list_devices()


def test_devices_command():
    r = subprocess.run([sys.executable, "-m", "assistant", "devices"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()


def test_unplugged_microphone_raises_instead_of_waiting_forever():
    """A stream that stops delivering (device gone) ends ``blocks`` with one clear line."""
    import queue
    import threading

    mic = device.MicSource.__new__(device.MicSource)
    mic.device, mic.block = None, 480
    mic._q, mic._closed = queue.Queue(), threading.Event()
    mic._stream = type("DeadStream", (), {"active": False})()
    with pytest.raises(AudioError, match="stopped delivering audio"):
        next(mic.blocks())


class _FakeSd:
    """Just enough of sounddevice to open a microphone: a device that takes 16 and 48 kHz."""

    class PortAudioError(Exception):
        pass

    def __init__(self) -> None:
        self.opened: list[int] = []

    def query_devices(self, device=None, kind=None):
        return {"name": "fake", "default_samplerate": 48000.0, "max_input_channels": 1}

    def check_input_settings(self, device=None, channels=1, dtype="float32", samplerate=16000):
        if samplerate not in (16000, 48000):
            raise self.PortAudioError("Invalid sample rate")

    def InputStream(self, samplerate, **kw):  # noqa: N802 (sounddevice's name)
        self.opened.append(samplerate)
        return type("Stream", (), {"start": lambda s: None, "active": True})()


@pytest.mark.parametrize("configured,opened", [(0, 16000), (48000, 48000)])
def test_capture_rate_from_config(monkeypatch, configured, opened):
    """``audio.sample_rate`` opens the microphone at that rate; 0 prefers 16 kHz."""
    fake = _FakeSd()
    monkeypatch.setattr(device, "_sd", lambda: fake)
    mic = device.MicSource("", block_ms=30, rate=configured)
    assert fake.opened == [opened] and mic.rate == opened
