"""Speaking: a reply to the sink, and on a live microphone, barge-in.

On a live microphone the reply plays in a thread while the microphone is watched: the wake
word or "stop" cuts it. ``play`` says whether and how it was cut, one meaning everywhere.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator

import numpy as np

from assistant.audio.base import SAMPLE_RATE, Adjustable, Sink
from assistant.events import Reply, StageTimes
from assistant.pipeline.clock import StreamClock
from assistant.pipeline.speak import speak
from assistant.tts.base import Synthesizer
from assistant.wake.base import WakeDetector


class Cut(enum.Enum):
    """How a reply ended: played to the end, or cut by "stop" or by the wake word (after
    which the loop listens at once)."""

    NOT = "not"
    STOP = "stop"
    WAKE = "wake"


class Player:
    """Plays replies at the persisted volume; ``interrupt`` cuts the one playing."""

    def __init__(self, synth: Synthesizer, sink: Sink, clock: StreamClock, *,
                 wake: WakeDetector | None = None, barge_in: WakeDetector | None = None,
                 gain: Callable[[], float] | None = None) -> None:
        self.synth = synth
        self.sink = sink
        self.clock = clock
        self.wake = wake
        self.barge_in = barge_in  # a "stop" spotter; None: nothing cuts a reply
        self.gain = gain  # the volume the household set, read before each reply
        self.stopping = threading.Event()

    def interrupt(self) -> None:
        """Cut the reply playing now (a signal from the service, or barge-in)."""
        self.stopping.set()
        self.sink.stop()

    def play(self, reply: Reply, times: StageTimes | None = None,
             blocks: Iterator[np.ndarray] | None = None, chime: np.ndarray | None = None) -> Cut:
        """Speak ``reply`` (after ``chime``); with ``blocks`` (a live microphone) while the
        microphone is watched for the wake word or "stop"."""
        self.stopping.clear()  # before any thread starts: a barge-in may come at once
        if self.gain is not None and isinstance(self.sink, Adjustable):
            self.sink.gain = self.gain()
        if blocks is None or self.barge_in is None:
            return Cut.NOT if self._speak(reply, times, chime) else Cut.STOP
        return self._watched(reply, times, blocks, chime)

    def _speak(self, reply: Reply, times: StageTimes | None, chime: np.ndarray | None) -> bool:
        """True when the reply played to its end."""
        if chime is not None:
            self.sink.write(chime, SAMPLE_RATE)
        first = (lambda t: setattr(times, "first_audio", t)) if times is not None else None
        return speak(reply, self.synth, self.sink, stop=self.stopping, on_first_audio=first,
                     clock=self.clock)

    def _watched(self, reply: Reply, times: StageTimes | None, blocks: Iterator[np.ndarray],
                 chime: np.ndarray | None) -> Cut:
        assert self.barge_in is not None
        player = threading.Thread(target=self._speak, args=(reply, times, chime), daemon=True)
        player.start()
        cut = Cut.NOT
        for block in blocks:
            self.clock.advance(len(block))
            if not player.is_alive():
                break
            if self.wake is not None and self.wake.accept(block):
                cut = Cut.WAKE
            elif self.barge_in.accept(block):
                cut = Cut.STOP
            if cut is not Cut.NOT:
                self.interrupt()
                break
        player.join()
        return cut
