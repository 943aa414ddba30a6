"""A real ``assistant wyoming`` server in a child process, and real Wyoming clients for it."""

from __future__ import annotations

import asyncio
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from service_helpers import PYTHON, child_env
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.client import AsyncClient, AsyncTcpClient, AsyncUnixClient
from wyoming.event import Event

READ_TIMEOUT_S = 60.0


class WyomingProcess:
    """``python -m assistant wyoming ARGS`` until ``close``; ``log`` is its stderr so far."""

    def __init__(self, *args: str, start_timeout: float = 180.0, prelude: str = "") -> None:
        """``prelude``: Python code the child runs before the server (a seccomp filter, say)."""
        cmd = [PYTHON, "-m", "assistant", "wyoming", *args]
        if prelude:
            main = "import sys\nfrom assistant.cli import main\nsys.exit(main(sys.argv[1:]))\n"
            cmd = [PYTHON, "-c", prelude + "\n" + main, "wyoming", *args]
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=child_env())
        self._lines: queue.Queue[str] = queue.Queue()
        self._stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self._lines.put),
                         daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self._stderr.append),
                         daemon=True).start()
        try:
            first = self._lines.get(timeout=start_timeout)
        except queue.Empty:
            self.close()
            raise AssertionError(f"server did not start: {self.log[-2000:]}") from None
        assert " on " in first, first + self.log
        self.address = first.rsplit(" on ", 1)[1].strip()

    @staticmethod
    def _pump(stream, put: Callable[[str], None]) -> None:
        for line in stream:
            put(line)

    @property
    def log(self) -> str:
        return "".join(self._stderr)

    def logged(self, *parts: str, timeout: float = 10.0) -> bool:
        """Whether a line holding every one of ``parts`` reached the log within ``timeout``
        (the server's stderr is read by a thread, which a busy machine may hold up)."""
        deadline = time.monotonic() + timeout
        while True:
            if any(all(p in line for p in parts) for line in self.log.splitlines()):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")

    def client(self) -> AsyncClient:
        if self.address.startswith("unix://"):
            return AsyncUnixClient(self.address[len("unix://"):], read_timeout=READ_TIMEOUT_S)
        return AsyncTcpClient("127.0.0.1", self.port, read_timeout=READ_TIMEOUT_S)

    def wait_log(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log:
                return self.log
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never logged; log: {self.log[-2000:]}")

    def close(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


def run(coro):
    return asyncio.run(coro)


def audio_events(samples: np.ndarray, rate: int, width: int = 2, channels: int = 1,
                 chunk_frames: int = 1024, stop: bool = True) -> Iterable[Event]:
    """audio-start, chunks of ``samples`` (int16 (frames[, channels])), audio-stop, in the
    given width: 1 = unsigned 8-bit, 2 = int16, 4 = int32."""
    x = samples.reshape(len(samples), -1).astype(np.int32)
    if width == 1:
        data = ((x >> 8) + 128).astype(np.uint8)
    elif width == 4:
        data = (x << 16).astype("<i4")
    else:
        data = x.astype("<i2")
    yield AudioStart(rate=rate, width=width, channels=channels).event()
    for i in range(0, len(data), chunk_frames):
        yield AudioChunk(rate=rate, width=width, channels=channels,
                         audio=data[i:i + chunk_frames].tobytes()).event()
    if stop:
        yield AudioStop().event()


async def read_until(client: AsyncClient, last: str, limit: int = 100000) -> list[Event]:
    """Events up to and including the first of type ``last``."""
    events = []
    for _ in range(limit):
        event = await client.read_event()
        assert event is not None, f"connection closed before {last}; got {[e.type for e in events]}"
        events.append(event)
        if event.type == last:
            return events
    raise AssertionError(f"no {last} in {limit} events")


def pcm(events: Iterable[Event]) -> np.ndarray:
    """The int16 samples of all audio chunks among ``events``."""
    parts = [np.frombuffer(e.payload or b"", "<i2") for e in events if e.type == "audio-chunk"]
    return np.concatenate(parts) if parts else np.zeros(0, np.int16)
