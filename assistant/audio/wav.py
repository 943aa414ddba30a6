"""WAV files in and out.

We parse the RIFF header ourselves because the stdlib ``wave`` module rejects float WAV
(format 3) and WAVE_FORMAT_EXTENSIBLE files, both common from DAWs and phones.
"""

from __future__ import annotations

import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.audio.base import SAMPLE_RATE
from assistant.audio.convert import (
    IEEE_FLOAT,
    PCM,
    decode_pcm,
    float_to_int16,
    int16_to_float,
    resample,
    to_loop_format,
    to_mono,
)
from assistant.errors import AudioError

EXTENSIBLE = 0xFFFE
_STREAMING_SIZES = (0, 0xFFFFFFFF)  # writers that could not seek back leave these


@dataclass
class WavInfo:
    rate: int
    channels: int
    bits: int
    format_tag: int
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def _parse(path: Path, raw: bytes) -> tuple[WavInfo, bytes]:
    """Walk the RIFF chunks; returns the format and the sample bytes."""

    def bad(problem: str) -> AudioError:
        return AudioError(f"{path}: {problem}")

    if not raw:
        raise bad("file is empty")
    if len(raw) < 12 or raw[:4] not in (b"RIFF", b"RIFX") or raw[8:12] != b"WAVE":
        raise bad("not a WAV file (no RIFF/WAVE header)")
    if raw[:4] == b"RIFX":
        raise bad("big-endian WAV (RIFX) is not supported")
    pos, fmt, data = 12, None, None
    while pos + 8 <= len(raw):
        cid, size = raw[pos : pos + 4], struct.unpack("<I", raw[pos + 4 : pos + 8])[0]
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(raw):
                raise bad("truncated format chunk")
            tag, ch, rate, _, _, bits = struct.unpack("<HHIIHH", raw[body : body + 16])
            if tag == EXTENSIBLE:
                if size < 40 or body + 26 > len(raw):
                    raise bad("truncated extensible format chunk")
                tag = struct.unpack("<H", raw[body + 24 : body + 26])[0]
            fmt = (tag, ch, rate, bits)
        elif cid == b"data":
            available = len(raw) - body
            if size in _STREAMING_SIZES:
                size = available  # streamed WAV: the data runs to the end of the file
            elif size > available:
                raise bad(f"truncated: header promises {size} bytes of audio, file has {available}")
            data = raw[body : body + size]
            if fmt is not None:
                break
        pos = body + size + (size & 1)
    if fmt is None:
        raise bad("no 'fmt ' chunk (corrupt WAV)")
    if data is None:
        raise bad("no 'data' chunk (truncated or corrupt WAV)")
    tag, ch, rate, bits = fmt
    if tag not in (PCM, IEEE_FLOAT):
        raise bad(f"compressed WAV (format {tag}) is not supported; use PCM or float")
    if ch < 1 or rate < 1000 or bits not in (8, 16, 24, 32, 64):
        raise bad(f"implausible format: {ch} channels, {rate} Hz, {bits}-bit")
    frames = len(data) // (ch * bits // 8)
    if frames == 0:
        raise bad("contains no audio (0 samples)")
    return WavInfo(rate, ch, bits, tag, frames), data


def _read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AudioError(f"{path}: is a folder, not a WAV file") from None
    except OSError as e:
        raise AudioError(f"{path}: cannot read ({e.strerror})") from None


def wav_info(path: str | Path) -> WavInfo:
    """Format of a WAV file without decoding it."""
    p = Path(path)
    return _parse(p, _read_bytes(p))[0]


def _decode(path: str | Path) -> tuple[np.ndarray, int]:
    """The file as float samples (frames x channels) and its rate; bad files -> one line."""
    p = Path(path)
    info, data = _parse(p, _read_bytes(p))
    try:
        return decode_pcm(data, info.format_tag, info.bits, info.channels), info.rate
    except AudioError as e:
        raise AudioError(f"{p}: {e}") from None


def read_wav(path: str | Path) -> np.ndarray:
    """The whole file as 16 kHz mono int16, whatever its rate, width and channel count."""
    return to_loop_format(*_decode(path))


def read_wav_native(path: str | Path) -> tuple[np.ndarray, int]:
    """Mono int16 at the file's own rate (for playback, where resampling would only lose)."""
    x, rate = _decode(path)
    return float_to_int16(to_mono(x)), rate


class WavSource:
    """A WAV file as a Source of ``block_ms`` blocks (the last block may be shorter)."""

    def __init__(self, path: str | Path, block_ms: int = 30) -> None:
        if block_ms <= 0:
            raise AudioError(f"block_ms must be positive, got {block_ms}")
        self.path = Path(path)
        self.samples = read_wav(self.path)
        self.block = SAMPLE_RATE * block_ms // 1000

    @property
    def seconds(self) -> float:
        return len(self.samples) / SAMPLE_RATE

    def blocks(self) -> Iterator[np.ndarray]:
        for i in range(0, len(self.samples), self.block):
            yield self.samples[i : i + self.block]

    def close(self) -> None:
        pass


class WavSink:
    """Writes mono int16 at the rate of the first ``write`` (the synthesizer's rate).

    Later writes at another rate are resampled to the first one, so one file holds one rate.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rate: int | None = None
        self._w: wave.Wave_write | None = None

    def write(self, samples: np.ndarray, rate: int) -> None:
        if self._w is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._w = wave.open(str(self.path), "wb")  # noqa: SIM115 (closed in close())
            except OSError as e:
                raise AudioError(f"{self.path}: cannot write ({e.strerror})") from None
            self._w.setnchannels(1)
            self._w.setsampwidth(2)
            self._w.setframerate(rate)
            self.rate = rate
        x = np.asarray(samples)
        if x.dtype != np.int16 or rate != self.rate:
            f = int16_to_float(x) if x.dtype == np.int16 else x.astype(np.float32)
            x = float_to_int16(resample(f, rate, self.rate))
        self._w.writeframes(x.astype("<i2").tobytes())

    def flush(self) -> None:
        """Nothing to wait for: a file is written as it comes; ``close`` finishes the header."""

    def stop(self) -> None:
        """Nothing is playing; a file keeps what was written."""

    def close(self) -> None:
        if self._w is not None:
            self._w.close()
            self._w = None


def write_wav(path: str | Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    """Write one mono int16 array in one call (tests, benchmarks, debug dumps)."""
    sink = WavSink(path)
    try:
        sink.write(samples, rate)
    finally:
        sink.close()
    return sink.path
