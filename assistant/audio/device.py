"""Microphone and speaker through PortAudio (sounddevice).

A missing PortAudio library, a missing device or a device that refuses the format all become
one-line ``AudioError``s: a headless box with no sound card must say so, not crash.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np

from assistant.audio.base import SAMPLE_RATE
from assistant.audio.convert import StreamResampler, float_to_int16, int16_to_float, resample
from assistant.errors import AudioError

log = logging.getLogger(__name__)


def _sd() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio into one clear line."""
    try:
        import sounddevice
    except OSError as e:  # raised when libportaudio2 is not installed
        raise AudioError(f"PortAudio is not available ({e}); install libportaudio2") from None
    return sounddevice


def parse_device(spec: str | int | None) -> int | str | None:
    """'' -> system default, '3' -> index 3, anything else -> (part of) a device name."""
    if spec is None or spec == "":
        return None
    if isinstance(spec, int):
        return spec
    s = spec.strip()
    return int(s) if s.isdigit() else s


def _describe(kind: str, device: int | str | None, err: Exception) -> AudioError:
    which = "the default" if device is None else repr(device)
    msg = str(err).splitlines()[0] if str(err) else type(err).__name__
    return AudioError(
        f"no usable audio {kind} device ({which}: {msg}); see `assistant devices`, "
        f"or use WAV / raw PCM {'input' if kind == 'input' else 'output'} instead"
    )


def _device_info(sd: ModuleType, device: int | str | None, kind: str) -> dict[str, Any]:
    try:
        return dict(sd.query_devices(device, kind))
    except (ValueError, sd.PortAudioError) as e:
        raise _describe(kind, device, e) from None


def list_devices() -> str:
    """A readable table of audio devices; says so plainly when there are none."""
    sd = _sd()
    try:
        devices = sd.query_devices()
    except sd.PortAudioError as e:
        raise AudioError(f"cannot list audio devices: {e}") from None
    if len(devices) == 0:
        return "no audio devices found (PortAudio sees none)"
    default_in, default_out = sd.default.device
    lines = [f"{'#':>3}  {'in':>3} {'out':>3}  {'rate':>6}  name"]
    for i, d in enumerate(devices):
        mark = ("<" if i == default_in else " ") + (">" if i == default_out else " ")
        lines.append(
            f"{i:>3}{mark}{d['max_input_channels']:>3} {d['max_output_channels']:>3}  "
            f"{int(d['default_samplerate']):>6}  {d['name']}"
        )
    lines.append("< default input, > default output")
    return "\n".join(lines)


STALL_S = 2.0  # a live microphone delivers a block every few ms; this much silence = gone


class MicSource:
    """16 kHz mono int16 blocks from a microphone, forever (until ``close``).

    ``rate`` is the capture rate (some USB microphones only work at 48 kHz); 0 opens the device
    at 16 kHz when it allows it, else at its own default rate. Either way blocks are resampled
    to 16 kHz.
    """

    def __init__(self, device: str | int | None = "", block_ms: int = 30, rate: int = 0) -> None:
        sd = _sd()
        self.device = parse_device(device)
        self.block = SAMPLE_RATE * block_ms // 1000
        info = _device_info(sd, self.device, "input")
        if not rate:
            rate = SAMPLE_RATE
            try:
                sd.check_input_settings(self.device, channels=1, dtype="float32", samplerate=rate)
            except (ValueError, sd.PortAudioError):
                rate = int(info["default_samplerate"])
        self.rate = rate
        self._resampler = StreamResampler(rate, SAMPLE_RATE)
        self._q: queue.Queue[np.ndarray | None] = queue.Queue(maxsize=200)
        self._closed = threading.Event()
        try:
            self._stream = sd.InputStream(
                device=self.device, channels=1, dtype="float32", samplerate=rate,
                blocksize=rate * block_ms // 1000, callback=self._callback,
            )
            self._stream.start()
        except (ValueError, sd.PortAudioError) as e:
            raise _describe("input", self.device, e) from None

    def _callback(self, indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        if status:
            log.debug("microphone: %s", status)
        try:
            self._q.put_nowait(indata[:, 0].copy())
        except queue.Full:
            log.warning("microphone: dropped a block (consumer too slow)")

    def blocks(self) -> Iterator[np.ndarray]:
        """Blocks until ``close``; an unplugged microphone (no audio for STALL_S) raises."""
        pending = np.zeros(0, dtype=np.float32)
        waited = 0.0
        while not self._closed.is_set():
            try:
                x = self._q.get(timeout=0.5)
                waited = 0.0
            except queue.Empty:
                waited += 0.5
                if waited >= STALL_S or not self._stream.active:
                    raise AudioError(
                        f"microphone {self.device if self.device is not None else '(default)'} "
                        f"stopped delivering audio (unplugged?)"
                    ) from None
                continue
            if x is None:
                break
            pending = np.concatenate([pending, self._resampler.push(x)])
            while len(pending) >= self.block:
                yield float_to_int16(pending[: self.block])
                pending = pending[self.block :]

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._stream.close()
            self._q.put(None)




class SpeakerSink:
    """Plays mono audio with a gain; ``stop`` cuts playback at once (barge-in)."""

    def __init__(self, device: str | int | None = "", gain: float = 1.0) -> None:
        self._sd = _sd()
        self.device = parse_device(device)
        self.gain = gain
        self._info = _device_info(self._sd, self.device, "output")
        self._stream: Any = None
        self._rate: int | None = None  # rate the stream runs at
        self._in_rate: int | None = None  # rate callers write at
        self._chunks: deque[np.ndarray] = deque()
        self._lock = threading.Lock()
        self._drained = threading.Event()
        self._drained.set()

    def _open(self, rate: int) -> None:
        sd = self._sd
        self._close_stream()
        out_rate = rate
        try:
            sd.check_output_settings(self.device, channels=1, dtype="float32", samplerate=rate)
        except (ValueError, sd.PortAudioError):
            out_rate = int(self._info["default_samplerate"])
        try:
            self._stream = sd.OutputStream(
                device=self.device, channels=1, dtype="float32", samplerate=out_rate,
                callback=self._callback,
            )
            self._stream.start()
        except (ValueError, sd.PortAudioError) as e:
            raise _describe("output", self.device, e) from None
        self._rate, self._in_rate = out_rate, rate

    def _callback(self, outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
        out = outdata[:, 0]
        filled = 0
        with self._lock:
            while filled < frames and self._chunks:
                c = self._chunks[0]
                n = min(frames - filled, len(c))
                out[filled : filled + n] = c[:n]
                filled += n
                if n == len(c):
                    self._chunks.popleft()
                else:
                    self._chunks[0] = c[n:]
            if not self._chunks:
                self._drained.set()
        out[filled:] = 0.0

    def write(self, samples: np.ndarray, rate: int) -> None:
        if self._stream is None or rate != self._in_rate:
            self.flush()
            self._open(rate)
        x = np.asarray(samples)
        f = int16_to_float(x) if x.dtype == np.int16 else x.astype(np.float32)
        if self._rate != rate:
            f = resample(f, rate, self._rate or rate)
        f = np.clip(f * self.gain, -1.0, 1.0).astype(np.float32)
        with self._lock:
            self._chunks.append(f)
            self._drained.clear()

    def flush(self) -> None:
        """Wait until everything written has been played."""
        with self._lock:
            pending = sum(len(c) for c in self._chunks) / (self._rate or SAMPLE_RATE)
        if not self._drained.wait(timeout=pending + 2.0):
            log.warning("speaker: playback did not drain in time")

    def stop(self) -> None:
        with self._lock:
            self._chunks.clear()
            self._drained.set()

    def _close_stream(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        self.stop()
        self._close_stream()
