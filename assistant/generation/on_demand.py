"""The generative model in memory only while people ask open questions.

The model and its cached system prompt take ~200 MB, a fifth of the loop's peak, for the few
turns that are open questions. Loading takes a third of a second on one x86 core
(``benchmarks/generation.py``), so the first question loads it, it stays while questions keep
coming, and after ``idle_s`` without one it is let go and the memory handed back to the system.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import threading
from collections.abc import Callable, Iterator

from assistant.errors import HearthError, ModelError
from assistant.generation.generator import Generator

log = logging.getLogger(__name__)


def _give_back_memory() -> None:
    """Return freed heap pages to the system (glibc keeps them for reuse otherwise)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: its allocator decides
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class OnDemand:
    """``sentences`` of a generator loaded when first asked and unloaded after ``idle_s`` idle
    (never while an answer is being said); ``idle_s <= 0`` loads it now and keeps it."""

    def __init__(self, load: Callable[[], Generator], idle_s: float) -> None:
        self._load, self.idle_s = load, idle_s
        self._lock = threading.Lock()
        self._model: Generator | None = None
        self._answering = self._questions = 0
        self._timer: threading.Timer | None = None
        self._failed = ""
        if idle_s <= 0:
            self._model = load()

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def sentences(self, question: str) -> Iterator[str]:
        """Whole sentences of the answer (see ``Generator.sentences``). A model that will not
        load raises its ModelError, and again on every later question without a new try."""
        model = self._acquire()
        try:
            yield from model.sentences(question)
        finally:
            self._release()

    def _acquire(self) -> Generator:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._model is None:
                if self._failed:
                    raise ModelError(self._failed)
                try:
                    self._model = self._load()
                except HearthError as e:
                    self._failed = str(e)
                    raise
            self._answering += 1
            self._questions += 1
            return self._model

    def _release(self) -> None:
        with self._lock:
            self._answering -= 1
            if self._answering == 0 and self.idle_s > 0:
                self._timer = threading.Timer(self.idle_s, self._unload, (self._questions,))
                self._timer.daemon = True
                self._timer.start()

    def _unload(self, questions: int) -> None:
        with self._lock:
            if self._answering or questions != self._questions:  # asked again meanwhile
                return
            self._timer = self._model = None
        _give_back_memory()
        log.info("generative model unloaded after %.0f s without a question", self.idle_s)
