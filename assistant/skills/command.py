"""A custom intent's command, from spoken slots to a finished child process.

Why a module of its own: this is where words a microphone (or a network client) heard become
a program's arguments. The rules: the program is fixed by the file; every slot the argv names
must have been said, and a value that could read as an option or a path (a leading ``-``, a
``/``, ``..``, NUL) is refused rather than passed; the child gets ``PATH``, ``LANG`` and its slots
(``HEARTH_SLOT_<NAME>``) and nothing else of the service's environment, runs in ``/`` in its own
process group (all of it killed at the time limit), and only the last few KiB of its output
are kept for the log. Commands run one at a time on the runner's own thread, so a slow one
never holds a thread that speech or voices need; a second one meanwhile is refused at once.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import selectors
import signal
import string
import subprocess
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO

from assistant.errors import HearthError
from assistant.sentences.load import CustomIntent, placeholders

log = logging.getLogger(__name__)

COMMAND_TIMEOUT_S = 4.0  # under the dialogue's per-skill limit (5 s), so this one speaks first
MAX_OUTPUT = 4096  # bytes of a command's output kept (its tail) for the log
SEARCH_PATH = "/usr/local/bin:/usr/bin:/bin"
LANG = "C.UTF-8"


class CommandRefused(HearthError):
    """Why a command was not run, as the words after "I didn't run <intent>: "."""


@dataclass(frozen=True)
class Outcome:
    """How a command ended: its exit code (None: killed at the time limit) and its output's tail."""

    code: int | None
    output: bytes

    @property
    def last_line(self) -> str:
        lines = self.output.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else ""


def _unsafe(value: str) -> str | None:
    """Why a slot value may not be an argument, or None when it may."""
    if value.startswith("-"):
        return "it begins with '-'"
    for bad, why in (("\0", "it holds a NUL"), ("/", "it holds '/'"), ("..", "it holds '..'")):
        if bad in value:
            return why
    return None


def argv_for(intent: CustomIntent, values: Mapping[str, str]) -> tuple[list[str], dict[str, str]]:
    """The argv and the slots it takes, or ``CommandRefused`` saying which slot is missing or
    unsafe. Only the slots the argv names are checked and passed."""
    taken: dict[str, str] = {}
    argv: list[str] = []
    formatter = string.Formatter()
    first = next((i for i, a in enumerate(intent.command) if placeholders(a)), -1)
    for i, template in enumerate(intent.command):
        parts = []
        for literal, slot, _, _ in formatter.parse(template):
            parts.append(literal)
            if slot:
                value = values.get(slot, "").strip()
                if not value:
                    log.warning("custom intent %s: not run: no %s was heard", intent.name, slot)
                    raise CommandRefused(f"I didn't catch the {slot.replace('_', ' ')}")
                why = _unsafe(value)
                if why:
                    log.warning("custom intent %s: not run: %s=%r: %s", intent.name, slot, value, why)
                    raise CommandRefused(f"the {slot.replace('_', ' ')} I heard can't go into a command")
                taken[slot] = value
                parts.append(value)
        if intent.end_of_options and i == first:
            argv.append("--")
        argv.append("".join(parts))
    return argv, taken


def environment(intent: CustomIntent, slots: Mapping[str, str]) -> dict[str, str]:
    """All a command sees of the world: a fixed PATH and LANG, the intent and its slots."""
    env = {"PATH": SEARCH_PATH, "LANG": LANG, "HEARTH_INTENT": intent.name}
    for name, value in slots.items():
        env["HEARTH_SLOT_" + re.sub(r"[^A-Z0-9]", "_", name.upper())] = value
    return env


def _drain(stream: IO[bytes], deadline: float) -> tuple[bytes, bool]:
    """The tail of what the child writes until it closes its output, and whether the deadline
    came first."""
    kept = b""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if sel.select(left):
                chunk = os.read(stream.fileno(), 65536)
                if not chunk:
                    return kept, False
                kept = (kept + chunk)[-MAX_OUTPUT:]
    return kept, True


def execute(argv: list[str], env: dict[str, str], timeout_s: float) -> Outcome:
    """Run ``argv`` without a shell; past ``timeout_s`` its whole process group is killed.
    Raises OSError when it cannot start."""
    deadline = time.monotonic() + timeout_s
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=env, cwd="/", start_new_session=True)
    assert proc.stdout is not None
    with proc.stdout:
        output, late = _drain(proc.stdout, deadline)
    if not late:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return Outcome(proc.wait(max(0.0, deadline - time.monotonic())), output)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return Outcome(None, output)


class CommandRunner:
    """One command at a time, on this runner's own thread."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hearth-command")
        self._free = threading.Semaphore(1)

    def run(self, argv: list[str], env: dict[str, str], timeout_s: float) -> Outcome:
        """The command's outcome; ``CommandRefused`` when another is still running, OSError
        when it cannot start."""
        if not self._free.acquire(blocking=False):
            raise CommandRefused("another command is still running")
        try:
            future = self._executor.submit(execute, argv, env, timeout_s)
        except RuntimeError:
            self._free.release()
            raise
        future.add_done_callback(lambda _: self._free.release())
        return future.result()


@functools.cache
def shared_runner() -> CommandRunner:
    """The process's runner: every dialogue (each Wyoming conversation has one) shares it."""
    return CommandRunner()
