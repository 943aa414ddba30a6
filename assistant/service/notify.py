"""The sd_notify protocol: tell systemd we are ready, reloading, stopping, alive, and why.

systemd passes ``NOTIFY_SOCKET`` (a path, or ``@name`` for an abstract socket) and, with
``WatchdogSec=``, ``WATCHDOG_USEC``/``WATCHDOG_PID``. Outside systemd every call is a no-op, so
the same code runs from a terminal. Sending never raises: a lost status line must not stop the
assistant.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


def _address(raw: str) -> str:
    """``@name`` means the Linux abstract namespace, spelled with a leading NUL byte."""
    return "\0" + raw[1:] if raw.startswith("@") else raw


def _watchdog_seconds(env: Mapping[str, str]) -> float | None:
    """The watchdog timeout meant for this process, or None (unset, malformed or another pid's)."""
    usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    try:
        if not usec or int(usec) <= 0 or (pid and int(pid) != os.getpid()):
            return None
        return int(usec) / 1_000_000
    except ValueError:
        return None


class Notifier:
    """Sends notify datagrams to systemd; ``enabled`` is False when not started by systemd."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self.watchdog_timeout = _watchdog_seconds(env) if self.address else None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, **fields: str | int) -> bool:
        """Send ``KEY=value`` lines in one datagram; True when systemd got it."""
        if not self.address:
            return False
        # Values are single lines in the protocol; a newline would start a bogus field.
        text = "\n".join(f"{k}={' '.join(str(v).split())}" for k, v in fields.items())
        try:
            with self._lock:
                if self._sock is None:
                    self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                self._sock.sendto(text.encode("utf-8"), self.address)
            return True
        except OSError as e:
            if not self._warned:  # once: the socket is gone for good, not worth a line per ping
                log.warning("systemd notify socket %s unusable: %s", self.address.lstrip("\0"), e)
                self._warned = True
            return False

    def ready(self, status: str = "") -> bool:
        return self.send(READY=1, **({"STATUS": status} if status else {}))

    def reloading(self) -> bool:
        # MONOTONIC_USEC lets systemd >= 253 (Type=notify-reload) match the reload to this request.
        return self.send(RELOADING=1, MONOTONIC_USEC=time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)

    def stopping(self) -> bool:
        return self.send(STOPPING=1)

    def status(self, text: str) -> bool:
        return self.send(STATUS=text)

    def watchdog(self) -> bool:
        return self.send(WATCHDOG=1) if self.watchdog_timeout else False

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
