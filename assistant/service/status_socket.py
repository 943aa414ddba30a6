"""A read-only status endpoint: connect to the Unix socket, get one JSON snapshot, done.

No requests are parsed, so the socket can be world-connectable without giving anyone control.
A live socket at start-up also means another Hearth is running, which is refused.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import HearthError

log = logging.getLogger(__name__)

MAX_PATH = 107  # sun_path is 108 bytes including the terminating NUL


def query(path: Path, timeout: float = 1.0) -> dict[str, Any] | None:
    """The snapshot served at ``path``; None when nothing listens there.

    Raises HearthError when a server is there but may not be asked (permissions) or answers
    garbage, so the caller can say that instead of "not running".
    """
    if len(os.fsencode(path)) > MAX_PATH:
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(os.fspath(path))
        except (FileNotFoundError, ConnectionRefusedError):
            return None
        except PermissionError:
            raise HearthError(f"status socket {path} is not readable by this user; try sudo") from None
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            raise HearthError(f"status socket {path} did not answer within {timeout:g} s") from None
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        raise HearthError(f"status socket {path} answered something that is not JSON") from None
    if not isinstance(data, dict):
        raise HearthError(f"status socket {path} answered something that is not a status")
    return data


class StatusServer:
    """Serves ``snapshot()`` as JSON to every connection, from a daemon thread."""

    def __init__(self, path: Path, snapshot: Callable[[], dict[str, Any]]) -> None:
        self.path = path
        self.snapshot = snapshot
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> bool:
        """Bind and serve; False (with one log line) when the path cannot be used.

        Raises HearthError when another live process already serves this socket.
        """
        if len(os.fsencode(self.path)) > MAX_PATH:
            log.warning("status socket path %s is too long for a Unix socket; state file only", self.path)
            return False
        if self.path.exists() or self.path.is_symlink():
            if query(self.path, timeout=0.5) is not None:
                raise HearthError(f"another Hearth is already running (status socket {self.path})")
            self.path.unlink()  # stale, left by a crash
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            sock.bind(os.fspath(self.path))
            # Connect needs write permission; the service's UMask=0077 would shut out the
            # admin running `assistant status`. The endpoint is read-only, so 0666 is safe.
            os.chmod(self.path, 0o666)
            sock.listen(8)
        except OSError as e:
            sock.close()
            log.warning("status socket %s unusable (%s); state file only", self.path, e)
            return False
        sock.settimeout(0.2)  # lets close() stop the accept loop promptly
        self._sock = sock
        self._thread = threading.Thread(target=self._serve, name="hearth-status", daemon=True)
        self._thread.start()
        return True

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            with conn:
                try:
                    conn.settimeout(1.0)
                    conn.sendall(json.dumps(self.snapshot(), default=str).encode("utf-8"))
                except OSError as e:  # the reader went away; not our problem
                    log.debug("status reader: %s", e)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
