"""Run the voice loop as a well-behaved service: notify, watchdog, status, signals.

The loop itself stays a plain callable (``run_once``: serve until a turn boundary, then return)
and runs on its own thread, so the main thread is free to react to signals at once:

* SIGTERM/SIGINT: ``stopping`` is set and ``interrupt`` is called (cut the reply); the loop has
  ``stop_grace_s`` to return, then ``shutdown`` flushes; the process is gone within ~2 s even
  when the loop hangs (it then exits hard rather than wait for systemd's SIGKILL).
* SIGHUP: a reload is queued and runs on the loop thread *between* turns, so no turn is
  dropped; a failed reload keeps the old config and models and says why in one line.
* Watchdog: pings come only from the loop thread (``heartbeat``), so a hung loop stops pinging
  and systemd restarts the service.

Signal handlers only set flags; all real work happens on ordinary threads, so a signal arriving
while a lock is held can never deadlock.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from assistant.audio.base import Source
from assistant.config import ServiceConfig
from assistant.errors import HearthError
from assistant.events import Turn
from assistant.service.notify import Notifier
from assistant.service.retry import Backoff
from assistant.service.status import (
    STATE_FILE_NAME,
    StatusBoard,
    socket_path,
    status_dir,
    summary,
)
from assistant.service.status_socket import StatusServer

log = logging.getLogger(__name__)

T = TypeVar("T")
STOP_BUDGET_S = 2.0  # SIGTERM to exit, all included


class ServiceRuntime:
    """Owns notify/watchdog/status/signals around ``run_once``; see the module docstring."""

    def __init__(
        self,
        cfg: ServiceConfig | None = None,
        *,
        reload: Callable[[], None] | None = None,
        shutdown: Callable[[], None] | None = None,
        interrupt: Callable[[], None] | None = None,
        notifier: Notifier | None = None,
        status: StatusBoard | None = None,
        stop_grace_s: float = 1.2,
        error_backoff: Backoff | None = None,
        exit_on_timeout: bool = True,
    ) -> None:
        cfg = cfg or ServiceConfig()
        self.reload_fn = reload
        self.shutdown_fn = shutdown
        self.interrupt_fn = interrupt
        self.notifier = notifier or Notifier()
        self.status = status or StatusBoard(status_dir() / STATE_FILE_NAME)
        self.status.on_change = self._status_changed
        self.server = StatusServer(socket_path(cfg.status_socket), self.status.snapshot)
        self.watchdog_from_loop = cfg.watchdog
        self.stop_grace_s = stop_grace_s
        self.error_backoff = error_backoff or Backoff(initial=1.0, cap=30.0)
        self.exit_on_timeout = exit_on_timeout
        self.stopping = threading.Event()  # pass to speak(stop=...) and friends
        self._reload_pending = threading.Event()
        self._got_stop = False  # set by signal handlers, acted on by the main thread
        self._got_reload = False
        self._stop_begun = False
        self._loop_thread: threading.Thread | None = None
        self._crash: BaseException | None = None
        self._last_ping = 0.0
        self._last_summary = ""
        self.reloads = 0

    # -- hooks for the loop ------------------------------------------------------------------
    def heartbeat(self) -> None:
        """Ping the watchdog when due; only counts from the loop thread (or before it starts)."""
        timeout = self.notifier.watchdog_timeout
        if not timeout or not self.watchdog_from_loop:
            return
        loop = self._loop_thread
        if loop is not None and threading.current_thread() is not loop:
            return  # another thread's liveness says nothing about the loop
        self._ping(timeout)

    def _ping(self, timeout: float) -> None:
        now = time.monotonic()
        if now - self._last_ping >= timeout / 4:
            self._last_ping = now
            self.notifier.watchdog()

    @property
    def reload_pending(self) -> bool:
        return self._reload_pending.is_set()

    def blocks(self, blocks: Iterable[T], idle: Callable[[], bool] = lambda: True) -> Iterator[T]:
        """Pass audio blocks through, pinging the watchdog; end the stream on stop, or at an
        idle moment (``idle()`` true, e.g. waiting for the wake word) when a reload is queued."""
        it = iter(blocks)
        try:
            for block in it:
                self.heartbeat()
                if self.stopping.is_set() or (self._reload_pending.is_set() and idle()):
                    return
                yield block
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()  # release the microphone before a reload opens it again

    def guard(self, source: Source, idle: Callable[[], bool] = lambda: True) -> Source:
        """``source`` seen through :meth:`blocks`, for loops that take a Source."""
        return _GuardedSource(self, source, idle)

    def set_state(self, state: Any) -> None:
        """For the loop's ``on_state``: idle / listening / thinking / speaking (enum or text)."""
        self.status.update(state=getattr(state, "value", state))

    def record_turn(self, turn: Turn) -> None:
        self.status.record_turn(turn.times)

    def set_models(self, models: dict[str, str]) -> None:
        """Loaded models and their versions, as ``{"nlu": "v3", ...}``."""
        self.status.update(models=dict(models))

    def _status_changed(self, snap: dict[str, Any]) -> None:
        line = summary(snap)
        if line != self._last_summary:
            self._last_summary = line
            self.notifier.status(line)

    # -- the loop thread ---------------------------------------------------------------------
    def _loop(self, run_once: Callable[[], None]) -> None:
        try:
            while not self.stopping.is_set():
                if self._reload_pending.is_set():
                    self._reload()
                try:
                    run_once()
                    self.error_backoff.reset()
                except HearthError as e:
                    delay = self.error_backoff.next_delay()
                    log.error("%s (retrying in %g s)", e, delay)
                    self.status.update(error=str(e))
                    self.stopping.wait(delay)
                self.heartbeat()
        except BaseException as e:  # a bug: exit non-zero so Restart=on-failure restarts us
            self._crash = e
            log.critical("the voice loop crashed: %s: %s", type(e).__name__, e, exc_info=e)

    def _reload(self) -> None:
        self._reload_pending.clear()
        self.notifier.reloading()
        self.status.update(state="reloading")
        try:
            if self.reload_fn is not None:
                self.reload_fn()
            self.reloads += 1
            self.status.update(error="")
            log.warning("reloaded config and models")
        except Exception as e:  # the old config and models are still loaded and working
            line = str(e) if isinstance(e, HearthError) else f"{type(e).__name__}: {e}"
            log.error("reload failed, keeping the previous config and models: %s", line)
            self.status.update(error=f"reload failed: {line}")
        self.status.update(state="idle")
        self.notifier.ready(summary(self.status.snapshot()))

    # -- the main thread ---------------------------------------------------------------------
    def _on_stop_signal(self, signum: int, frame: object) -> None:
        self._got_stop = True

    def _on_reload_signal(self, signum: int, frame: object) -> None:
        self._got_reload = True

    def request_stop(self) -> None:
        """Stop as SIGTERM would, from ordinary code (the loop itself, a UI, tests): the loop
        sees it at once, the main thread does the rest."""
        self._got_stop = True
        self.stopping.set()

    def request_reload(self) -> None:
        self._got_reload = True

    def _begin_stop(self) -> None:
        """Tell systemd and the status we are stopping, and cut the reply; once."""
        if self._stop_begun:
            return
        self._stop_begun = True
        self.stopping.set()
        self.notifier.stopping()
        self.status.update(state="stopping")
        if self.interrupt_fn is not None:
            try:
                self.interrupt_fn()
            except Exception as e:
                log.warning("interrupting the reply failed: %s", e)

    def run(self, run_once: Callable[[], None]) -> int:
        """Serve until stopped; returns the exit code (0 after a stop request, 1 after a crash)."""
        if threading.current_thread() is not threading.main_thread():
            raise HearthError("ServiceRuntime.run must be called from the main thread (signals)")
        handlers = {
            signal.SIGTERM: self._on_stop_signal,
            signal.SIGINT: self._on_stop_signal,
            signal.SIGHUP: self._on_reload_signal,
        }
        previous = {sig: signal.signal(sig, h) for sig, h in handlers.items()}
        try:
            self.server.start()
            self._loop_thread = threading.Thread(
                target=self._loop, args=(run_once,), name="hearth-loop", daemon=True
            )
            self._loop_thread.start()
            self.status.update(state="idle")
            self.notifier.ready(summary(self.status.snapshot()))
            forced, stop_began = self._supervise()
            return self._finish(forced, stop_began)
        finally:
            for sig, h in previous.items():
                signal.signal(sig, h)

    def _supervise(self) -> tuple[bool, float]:
        """Wait for the loop to end; act on signal flags. Returns (loop ignored stop, when)."""
        assert self._loop_thread is not None
        stop_began: float | None = None
        while self._loop_thread.is_alive():
            if self._got_stop and stop_began is None:
                stop_began = time.monotonic()
                self._begin_stop()
            if self._got_reload:
                self._got_reload = False
                log.warning("reload requested; it runs after the current turn")
                self._reload_pending.set()
            if stop_began is not None and time.monotonic() - stop_began > self.stop_grace_s:
                return True, stop_began
            if not self.watchdog_from_loop and self.notifier.watchdog_timeout:
                self._ping(self.notifier.watchdog_timeout)  # config opted out of hang detection
            self._loop_thread.join(0.05)
        return False, stop_began if stop_began is not None else time.monotonic()

    def _finish(self, forced: bool, stop_began: float) -> int:
        code = 1 if self._crash is not None else 0
        if forced:
            log.warning("the voice loop did not stop within %.1f s; exiting without it",
                        self.stop_grace_s)
        self._begin_stop()  # no-op after a signal; after a crash or request_stop, says so
        if self.shutdown_fn is not None:
            # On a thread: a hung loop may hold what shutdown needs; the budget still holds.
            done = threading.Thread(target=self._shutdown, name="hearth-shutdown", daemon=True)
            done.start()
            done.join(max(0.2, STOP_BUDGET_S - 0.1 - (time.monotonic() - stop_began)))
            if done.is_alive():
                log.warning("shutdown did not finish in time; exiting anyway")
                forced = True
        self.status.update(state="stopped" if code == 0 else "crashed")
        self.server.close()
        self.notifier.close()
        if forced and self.exit_on_timeout:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)  # interpreter teardown could wait on the hung thread
        return code

    def _shutdown(self) -> None:
        try:
            assert self.shutdown_fn is not None
            self.shutdown_fn()
        except Exception as e:
            log.error("shutdown: %s", e)


class _GuardedSource:
    """A Source whose blocks pass through ``ServiceRuntime.blocks``."""

    def __init__(self, runtime: ServiceRuntime, inner: Source, idle: Callable[[], bool]) -> None:
        self.runtime, self.inner, self.idle = runtime, inner, idle

    def blocks(self) -> Iterator[Any]:
        return self.runtime.blocks(self.inner.blocks(), self.idle)

    def close(self) -> None:
        self.inner.close()
