"""Test doubles for systemd's side of the service protocol (shared by tests/test_service_*.py)."""

from __future__ import annotations

import os
import socket
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class NotifyListener:
    """What systemd does with NOTIFY_SOCKET: a datagram socket collecting KEY=value messages."""

    def __init__(self, path: Path | str) -> None:
        self.env_value = str(path)
        address = "\0" + self.env_value[1:] if self.env_value.startswith("@") else self.env_value
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.messages: list[dict[str, str]] = []

    def receive(self, timeout: float = 0.0) -> list[dict[str, str]]:
        """Collect messages arriving within ``timeout`` seconds (all already queued ones too)."""
        deadline = time.monotonic() + timeout
        while True:
            self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                data = self.sock.recv(4096)
            except (TimeoutError, BlockingIOError):
                return self.messages
            self.messages.append(dict(line.split("=", 1) for line in data.decode().splitlines()))

    def wait_for(self, key: str, value: str | None = None, timeout: float = 10.0) -> dict[str, str]:
        """The first message (old or new) with ``key`` (= ``value``); fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for m in self.messages[seen:]:
                if key in m and (value is None or m[key] == value):
                    return m
            seen = len(self.messages)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {key}={value} within {timeout} s; got {self.messages}")
            self.receive(min(0.1, left))

    def count(self, key: str) -> int:
        return sum(1 for m in self.messages if key in m)

    def close(self) -> None:
        self.sock.close()


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child Python that imports this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


PYTHON = sys.executable


# Python code that makes the process deny writable+executable memory from here on, exactly as
# MemoryDenyWriteExecute=yes does (a seccomp filter answering EPERM); needs libseccomp.
WX_FILTER = textwrap.dedent("""
    # Emulate MemoryDenyWriteExecute=yes exactly as systemd does it (seccomp, EPERM).
    import ctypes, errno, os, sys
    lib = ctypes.CDLL("libseccomp.so.2", use_errno=True)
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]

    class Cmp(ctypes.Structure):
        _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int),
                    ("a", ctypes.c_uint64), ("b", ctypes.c_uint64)]

    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                           ctypes.c_uint, ctypes.POINTER(Cmp)]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(0x7FFF0000)  # allow by default
    for name, mask in (("mmap", 6), ("mprotect", 4), ("pkey_mprotect", 4), ("shmat", 0o100000)):
        nr = lib.seccomp_syscall_resolve_name(name.encode())
        cmp = Cmp(2, 7, mask, mask)  # arg 2 (prot / shmflg) MASKED_EQ mask
        assert lib.seccomp_rule_add_array(ctx, 0x00050000 | errno.EPERM, nr, 1, ctypes.byref(cmp)) == 0
    assert lib.seccomp_load(ctx) == 0
""")
