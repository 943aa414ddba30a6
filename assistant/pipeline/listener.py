"""Listening: from the first block after the wake word to the recognizer's final transcript.

The endpointer decides when the person stopped talking; ~0.6 s of audio before the speech
starts is kept so the recognizer hears the onset; a partial that already parses as a complete
command ends the turn after a short pause (early end); a recognizer that decodes only after the
turn (``Speculative``) starts at the first pause and keeps that work if the pause was the end
(and, once done, its text is the partial that may end the turn early; on a file, where no
audio needs waiting for, that decode is waited for at the early end's first look and the early
end looks again once as much audio has gone by as the decode took, as a microphone's would
have, so the stage times and the turns stay those of a microphone); and the recognizer keeps
what speech taught it of the room, and forgets what a noise did.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from assistant.asr.base import Recognizer, Speculative, learn_channel
from assistant.audio.base import SAMPLE_RATE
from assistant.audio.endpoint import Endpointer, Status
from assistant.config import EndpointConfig
from assistant.events import StageTimes, Transcript
from assistant.pipeline.clock import StreamClock
from assistant.pipeline.early_end import is_complete
from assistant.understanding.base import Understander

PREROLL_SAMPLES = int(0.6 * SAMPLE_RATE)
# trailing silence this long may be the end: a recognizer that decodes after the turn starts now
# (a pause between words is shorter; one that is not the end costs a decode thrown away). It
# counts the endpointer's lag too (Silero: 64 ms), so it must stay well above that.
SPECULATE_MS = 90


@dataclass
class Heard:
    """One listening: the transcript (None when nobody spoke), its stage times, and the stream
    second it began at."""

    transcript: Transcript | None
    times: StageTimes
    start: float
    input_ended: bool = False  # the audio ran out before anyone spoke (not a timeout)


class Listener:
    """Feeds the recognizer what the endpointer calls speech; one ``listen`` per turn."""

    def __init__(self, recognizer: Recognizer, endpointer: Endpointer,
                 understander: Understander, cfg: EndpointConfig, clock: StreamClock,
                 live: bool = False) -> None:
        self.recognizer = recognizer
        self.live = live  # a microphone: audio arrives in real time, never wait for a decode
        self.endpointer = endpointer  # kept across turns: it learns the room's noise floor
        self.understander = understander
        self.cfg = cfg
        self.clock = clock

    def _chunks(self, first: np.ndarray | None, blocks: Iterator[np.ndarray],
                ) -> Iterator[np.ndarray]:
        if first is not None:
            yield first
        for b in blocks:
            self.clock.advance(len(b))
            yield b

    def listen(self, blocks: Iterator[np.ndarray], first: np.ndarray | None,
               timeout_s: float) -> Heard:
        """Until the endpoint (or ``timeout_s`` without speech, or the end of ``blocks``)."""
        ep, rec = self.endpointer, self.recognizer
        ep.no_speech_timeout_s = timeout_s
        ep.reset()
        rec.reset()
        times = StageTimes()
        start = self.clock.audio_s - (len(first) / SAMPLE_RATE if first is not None else 0.0)
        self._hear(ep, rec, self._chunks(first, blocks))
        if ep.status is Status.MAX_LENGTH:
            ep.absorb_noise()
        if ep.speech_start is None:
            return Heard(None, times, start, input_ended=ep.status is Status.WAITING)
        times.speech_start = start + ep.speech_start
        times.speech_end = start + ep.speech_end
        times.endpoint = self.clock()
        transcript = rec.final()
        times.asr_final = self.clock()
        # a noise's channel estimate must not spoil the next command
        learn_channel(rec, bool(transcript.text.strip()) and ep.status is not Status.MAX_LENGTH)
        return Heard(transcript, times, start)

    def _hear(self, ep: Endpointer, rec: Recognizer, chunks: Iterator[np.ndarray]) -> None:
        preroll: collections.deque[np.ndarray] = collections.deque()
        checked = ""
        pause = Pause(rec)
        for block in chunks:
            status = ep.feed(block)
            if status is Status.WAITING:  # keep ~0.6 s so the recognizer hears the onset
                preroll.append(block)
                while sum(len(b) for b in preroll) > PREROLL_SAMPLES:
                    preroll.popleft()
                continue
            while preroll:
                rec.accept(preroll.popleft())
            rec.accept(block)
            pause.heard(ep.trailing_silence_ms if status is not Status.MAX_LENGTH else 0.0)
            if status.done:
                return
            if status is Status.SPEECH and ep.trailing_silence_ms >= ep.early_silence_ms:
                if not self.live:
                    pause.settle(self.clock.audio_s)
                if not pause.ready(self.clock.audio_s):
                    continue  # a microphone would still be waiting for the decode here
                partial = rec.partial()
                if partial and partial != checked:
                    checked = partial
                    if is_complete(self.understander, partial, self.cfg.early_confidence):
                        ep.end_early()
                        return


class Pause:
    """Tells a ``Speculative`` recognizer when a pause begins (start decoding) and when speech
    resumes (drop that decode); the last pause of a turn is its end, so ``final`` keeps it."""

    def __init__(self, recognizer: Recognizer) -> None:
        self.recognizer = recognizer if isinstance(recognizer, Speculative) else None
        self.speculating = False
        self.done_at: float | None = None  # stream second a settled decode would be done at

    def heard(self, trailing_silence_ms: float) -> None:
        rec = self.recognizer
        if rec is None:
            return
        if trailing_silence_ms >= SPECULATE_MS and not self.speculating:
            rec.speculate()
            self.speculating = True
        elif trailing_silence_ms < SPECULATE_MS and self.speculating:
            rec.resume()
            self.speculating = False
            self.done_at = None

    def settle(self, audio_s: float) -> None:
        """Audio that is not live, ``audio_s`` seconds in: wait for the decode started in this
        pause, and note when a microphone's audio would have got to while it ran."""
        if self.recognizer is not None and self.speculating and self.done_at is None:
            start = time.monotonic()
            self.recognizer.settle()
            self.done_at = audio_s + time.monotonic() - start

    def ready(self, audio_s: float) -> bool:
        """The pause's decode is done by ``audio_s`` (always, live: its partial says so), so
        the early end may look; the pause must have lasted that long, or speech that resumed
        while the decode ran would have dropped it."""
        return self.done_at is None or audio_s >= self.done_at
