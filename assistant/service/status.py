"""What the running assistant is doing, kept in one place for the status socket and state file.

The loop, the audio retry and the runtime each update a :class:`StatusBoard`; ``assistant
status`` reads a snapshot. Every change is also written to a small JSON state file, so the last
known state survives a crash and can be read when the socket is not there.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant import __version__, paths
from assistant.events import StageTimes
from assistant.files import write_json

log = logging.getLogger(__name__)

SOCKET_NAME = "hearth.sock"
STATE_FILE_NAME = "status.json"
SYSTEM_RUNTIME_DIR = Path("/run/hearth")  # RuntimeDirectory=hearth of the installed unit
# Written by the nightly personalization job (personalize room) in the data folder.
PERSONALIZE_LAST_RUN = "personalize-last-run.json"
WAITING_FOR_MICROPHONE = "waiting for microphone"


def status_dir() -> Path:
    """$RUNTIME_DIRECTORY under systemd (first entry if several), else the data folder."""
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    return Path(runtime) if runtime else paths.data_dir()


def socket_path(configured: str = "") -> Path:
    """Where this process serves its status (``service.status_socket`` wins)."""
    return Path(configured) if configured else status_dir() / SOCKET_NAME


def candidate_dirs() -> list[Path]:
    """Where a status reader looks: its own runtime dir, the installed unit's, the data folder."""
    out: list[Path] = []
    for d in (status_dir(), SYSTEM_RUNTIME_DIR, paths.data_dir()):
        if d not in out:
            out.append(d)
    return out


def read_json_file(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json_file(path: Path, data: dict[str, Any], mode: int = 0o644) -> None:
    """Replace ``path`` atomically (no fsync: this is a status file, not data to keep).

    World-readable on purpose: the service runs with UMask=0077 and `assistant status` is
    often run by another user; the snapshot holds no transcripts."""
    write_json(path, data, mode=mode, durable=False)


class StatusBoard:
    """Thread-safe status fields; each change is mirrored to the state file and ``on_change``."""

    def __init__(
        self,
        state_file: Path | None = None,
        *,
        personalize_file: Path | None = None,
        keep_turns: int = 10,
        on_change: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.state_file = state_file
        self.personalize_file = personalize_file or paths.data_dir() / PERSONALIZE_LAST_RUN
        self.on_change = on_change
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._fields: dict[str, Any] = {
            "state": "starting",
            "error": "",
            "pid": os.getpid(),
            "version": __version__,
            "started_at": time.time(),
            "models": {},
            "audio": {"state": "unknown", "detail": ""},
        }
        self._turns: deque[dict[str, Any]] = deque(maxlen=keep_turns)
        self._write_failed = False

    def update(self, **fields: Any) -> None:
        """Set top-level fields (``state``, ``error``, ``models``, ``audio`` ...)."""
        with self._lock:
            if all(self._fields.get(k) == v for k, v in fields.items()):
                return
            self._fields.update(fields)
        self._changed()

    def get(self, name: str) -> Any:
        """One field, without building a snapshot (cheap enough for every audio block)."""
        with self._lock:
            return self._fields.get(name)

    def record_turn(self, times: StageTimes) -> None:
        """Keep the per-stage latencies of the last turns."""
        with self._lock:
            self._turns.append({"at": time.time(), "ms": times.durations_ms()})
        self._changed()

    def snapshot(self) -> dict[str, Any]:
        """Everything ``assistant status`` shows, as plain JSON-able data."""
        with self._lock:
            snap = dict(self._fields)
            snap["last_turns"] = list(self._turns)
        snap["uptime_s"] = round(time.monotonic() - self._started, 1)
        snap["updated_at"] = time.time()
        snap["personalization"] = read_json_file(self.personalize_file)
        return snap

    def _changed(self) -> None:
        snap = self.snapshot()
        if self.on_change is not None:
            self.on_change(snap)
        if self.state_file is None:
            return
        try:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            write_json_file(self.state_file, snap)
            self._write_failed = False
        except OSError as e:
            if not self._write_failed:  # one line per outage, not one per state change
                log.warning("status file %s: %s", self.state_file, e)
            self._write_failed = True


def summary(snap: dict[str, Any]) -> str:
    """One line for systemd's STATUS= (shown by ``systemctl status``)."""
    line = str(snap.get("state", "?"))
    audio = snap.get("audio") or {}
    if audio.get("state") not in (None, "ok", "unknown") and audio.get("detail"):
        line += f" ({audio['detail']})"
    if snap.get("error"):
        line += f"; last error: {snap['error']}"
    return line
