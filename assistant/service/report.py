"""Find and describe the running assistant's status for ``assistant status``.

Order: the live socket; else the state file, which is the *last known* status (said so, with
whether that process is still alive); else "Hearth is not running".
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from assistant.service.status import (
    SOCKET_NAME,
    STATE_FILE_NAME,
    candidate_dirs,
    read_json_file,
)
from assistant.service.status_socket import query

NOT_RUNNING = "Hearth is not running"


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, just another user's
    return True


def find_status(configured_socket: str = "") -> tuple[str, dict[str, Any] | None]:
    """``(source, snapshot)``: source is "socket", "file" or "none"."""
    dirs = candidate_dirs()
    sockets = [Path(configured_socket)] if configured_socket else [d / SOCKET_NAME for d in dirs]
    for path in sockets:
        snap = query(path)
        if snap is not None:
            return "socket", snap
    for d in dirs:
        snap = read_json_file(d / STATE_FILE_NAME)
        if snap is not None:
            return "file", snap
    return "none", None


def _duration(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s % 3600 // 60:02d}m"


def _personalization(p: Any) -> str:
    """The personalize room's last-run report: result, version, when, why."""
    if not isinstance(p, dict):
        return "no run yet"
    line = str(p.get("result", "?"))
    if p.get("version"):
        line += f" (version {p['version']})"
    if p.get("finished_at"):
        line += f", {p['finished_at']}"
    if p.get("reason"):
        line += f": {p['reason']}"
    return line


def describe(source: str, snap: dict[str, Any] | None, now: float | None = None) -> str:
    """Human-readable lines for a snapshot from ``find_status``."""
    if snap is None:
        return NOT_RUNNING
    now = time.time() if now is None else now
    lines = []
    if source == "file":
        stale = snap.get("state") in ("stopped", "crashed") or not _pid_alive(snap.get("pid"))
        age = _duration(max(0.0, now - float(snap.get("updated_at") or now)))
        head = f"{NOT_RUNNING}; last known status ({age} ago)" if stale else \
            f"Hearth status socket not reachable; state file from {age} ago"
        lines.append(head + ":")
    lines.append(f"state: {snap.get('state', '?')}  (pid {snap.get('pid', '?')}, "
                 f"up {_duration(float(snap.get('uptime_s') or 0))}, version {snap.get('version', '?')})")
    audio = snap.get("audio") or {}
    lines.append(f"audio: {audio.get('state', '?')}" + (f" ({audio['detail']})" if audio.get("detail") else ""))
    models = snap.get("models") or {}
    lines.append("models: " + (", ".join(f"{k} {v}" for k, v in models.items()) or "none reported"))
    turns = snap.get("last_turns") or []
    if turns:
        firsts = [t.get("ms", {}).get("speech_end_to_first_audio") for t in turns]
        shown = [f"{v:.0f}" for v in firsts if isinstance(v, (int, float))]
        lines.append(f"last {len(turns)} turns, speech end -> first audio (ms): "
                     + (" ".join(shown) or "n/a"))
    else:
        lines.append("no turns yet")
    lines.append(f"personalization: {_personalization(snap.get('personalization'))}")
    if snap.get("error"):
        lines.append(f"last error: {snap['error']}")
    return "\n".join(lines)
