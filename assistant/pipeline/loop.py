"""The voice loop as a state machine: idle -> listening -> thinking -> speaking.

The same loop runs on a microphone and on WAV files. Time inside the loop is *stream time*:
seconds of audio consumed, advanced by wall time spent after the last block. Live, that is wall
time; on files it is what a person would have experienced had the file been spoken in real time,
so the per-stage timings of ``assistant process`` mean the same as on the shelf.
"""

from __future__ import annotations

import collections
import enum
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator

import numpy as np

from assistant.audio.base import SAMPLE_RATE, Sink, Source
from assistant.audio.endpoint import Status
from assistant.audio.endpointers import make_endpointer
from assistant.events import Reply, StageTimes, Transcript, Turn
from assistant.pipeline.components import Components
from assistant.pipeline.early_end import is_complete
from assistant.pipeline.speak import speak
from assistant.understanding.hearing import weigh
from assistant.values.slots import resolve

log = logging.getLogger(__name__)

NOT_CAUGHT = "Sorry, I didn't catch that."
PREROLL_SAMPLES = int(0.6 * SAMPLE_RATE)
POLL_S = 0.5  # how often timers, alarms and reminders are checked


class State(enum.Enum):
    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


class StreamClock:
    """Stream time: audio seconds consumed plus wall time since the last block arrived."""

    def __init__(self) -> None:
        self.audio_s = 0.0
        self._wall = time.monotonic()

    def advance(self, samples: int) -> None:
        self.audio_s += samples / SAMPLE_RATE
        self._wall = time.monotonic()

    def __call__(self) -> float:
        return self.audio_s + (time.monotonic() - self._wall)


class VoiceLoop:
    """Hears, understands and answers; yields one ``Turn`` per exchange."""

    def __init__(
        self,
        components: Components,
        sink: Sink,
        *,
        mode: str | None = None,
        on_state: Callable[[State], None] | None = None,
        live: bool = False,
    ) -> None:
        self.c = components
        self.cfg = components.cfg
        self.sink = sink
        self.mode = mode or self.cfg.wake.mode
        self.state = State.IDLE
        self._on_state = on_state
        self.clock = StreamClock()
        self.stop_speaking = threading.Event()
        self.announcements: queue.Queue[Reply] = queue.Queue()  # timers firing, from any thread
        self.talk = threading.Event()  # push-to-talk button
        self.endpointer = make_endpointer(self.cfg.endpoint)  # kept: it learns the room
        self.live = live  # a real microphone: replies play while the microphone is watched
        self._woken = False
        self._next_poll = 0.0  # stream time of the next scheduler poll

    def describe(self) -> dict[str, str]:
        """Which engine fills each role, the endpointer included (status and ``--json``)."""
        return {**self.c.describe(), "vad": self.endpointer.name}

    # -- state -----------------------------------------------------------------------------
    def _set(self, state: State) -> None:
        self.state = state
        if self._on_state is not None:
            self._on_state(state)

    # -- text in ---------------------------------------------------------------------------
    def respond(self, transcript: Transcript, times: StageTimes, audio_s: float = 0.0,
                blocks: Iterator[np.ndarray] | None = None) -> Turn:
        """Thinking and speaking for one transcript (text in, spoken reply out).

        With ``blocks`` (a live microphone) the reply plays in the background while the
        microphone is watched for the wake word or "stop": either cuts the reply (barge-in).
        """
        self._set(State.THINKING)
        understanding = None
        if not transcript.text.strip():
            reply = Reply(NOT_CAUGHT, intent="", ok=False)
            times.understood = times.replied = self.clock()
        else:
            # values read against the dialogue's clock, as the skill will see them
            understanding = weigh(resolve(self.c.understander.parse(transcript.text),
                                          self.c.dialogue.clock()), transcript)
            times.understood = self.clock()
            reply = self.c.dialogue.respond(understanding)
            times.replied = self.clock()
        self._set(State.SPEAKING)
        self._apply_volume()
        interrupted = self._play(reply, times, blocks)
        times.done = self.clock()
        turn = Turn(transcript, understanding, reply, times, audio_seconds=audio_s,
                    interrupted=interrupted)
        if self.c.history is not None:
            try:
                self.c.history.record(turn)
            except Exception as e:  # history must never take the loop down
                log.warning("history: %s", e)
        self._set(State.IDLE)
        return turn

    def _play(self, reply: Reply, times: StageTimes | None, blocks: Iterator[np.ndarray] | None,
              chime: np.ndarray | None = None) -> bool:
        """Speak ``reply`` (after ``chime``); True when the wake word or "stop" cut it short.

        With ``blocks`` (a live microphone) it plays in the background while the microphone
        is watched; a timer's chime and announcement can be cut like any answer.
        """
        self.stop_speaking.clear()  # before any thread starts: a barge-in may come at once
        if blocks is not None and self.c.barge_in:
            return self._speak_interruptible(reply, times, blocks, chime)
        return not self._speak(reply, times, chime)

    def _speak(self, reply: Reply, times: StageTimes | None = None,
               chime: np.ndarray | None = None) -> bool:
        if chime is not None:
            self.sink.write(chime, SAMPLE_RATE)
        first = (lambda t: setattr(times, "first_audio", t)) if times is not None else None
        return speak(reply, self.c.synth, self.sink, stop=self.stop_speaking,
                     on_first_audio=first, clock=self.clock)

    def _speak_interruptible(self, reply: Reply, times: StageTimes | None,
                             blocks: Iterator[np.ndarray], chime: np.ndarray | None) -> bool:
        """Play in a thread; True when the wake word or "stop" cut the reply short."""
        player = threading.Thread(target=self._speak, args=(reply, times, chime), daemon=True)
        player.start()
        for block in blocks:
            self.clock.advance(len(block))
            if not player.is_alive():
                break
            woke = self.c.wake is not None and self.c.wake.accept(block)
            if woke or self.c.barge_in.accept(block):
                self.stop_speaking.set()
                self.sink.stop()
                self._woken = woke
                player.join()
                return True
        player.join()
        return False

    def _apply_volume(self) -> None:
        """The volume skill's persisted level becomes the sink's gain."""
        if self.c.store is not None and hasattr(self.sink, "gain"):
            from assistant.skills.volume import read_volume

            self.sink.gain = read_volume(self.c.store).gain

    def ask(self, text: str) -> Turn:
        """Text in, text and speech out (``assistant ask``)."""
        times = StageTimes()
        times.speech_end = times.endpoint = times.asr_final = self.clock()
        return self.respond(Transcript(text=text), times)

    def announce_due(self, blocks: Iterator[np.ndarray] | None = None) -> None:
        """Speak anything that became due (timers, alarms, reminders) while idle.

        Called for every audio block; the store is asked at most every POLL_S of stream time,
        not some hundred times a second on the audio path. With ``blocks`` (a live microphone)
        the wake word or "stop" cuts the chime and the announcement.
        """
        if self.c.dialogue is not None and self.clock() >= self._next_poll:
            self._next_poll = self.clock() + POLL_S
            for reply in self.c.dialogue.due():
                self.announcements.put(reply)
        while not self.announcements.empty():
            reply = self.announcements.get_nowait()
            self._set(State.SPEAKING)
            self._apply_volume()
            self._play(reply, None, blocks, self.c.chime if reply.data.get("chime") else None)
            self._set(State.IDLE)

    # -- audio in --------------------------------------------------------------------------
    def run(self, source: Source) -> Iterator[Turn]:
        """Consume ``source`` until it ends; yield each completed turn."""
        blocks = source.blocks()
        follow_up = False
        for block in blocks:
            self.clock.advance(len(block))
            self.announce_due(blocks if self.live else None)
            first: np.ndarray | None = block
            if self._woken:  # the wake word cut the last reply short: listen right away
                self._woken = False
                follow_up = False
            elif not follow_up and self.mode == "wake_word":
                if not self.c.wake.accept(block):
                    continue
                first = self.c.wake.audio_after_phrase()
                self.c.wake.reset()
            elif not follow_up and self.mode == "push_to_talk":
                if not self.talk.is_set():
                    continue
                self.talk.clear()
            # Always-listening ignores silence; after a wake word or a button, silence is answered.
            quiet = follow_up or self.mode == "always"
            turn = self._listen(blocks, first, follow_up=follow_up, quiet=quiet)
            if turn is None:
                follow_up = False
                continue
            follow_up = turn.reply.expects_answer
            yield turn

    def _listen(self, blocks: Iterator[np.ndarray], first: np.ndarray | None, *,
                follow_up: bool, quiet: bool) -> Turn | None:
        """Listening: feed the recognizer until the endpoint; then think and speak."""
        self._set(State.LISTENING)
        ep_cfg = self.cfg.endpoint
        timeout = self.cfg.wake.follow_up_seconds if follow_up else ep_cfg.no_speech_timeout_s
        ep = self.endpointer
        ep.no_speech_timeout_s = timeout
        ep.reset()
        rec = self.c.recognizer
        rec.reset()
        times = StageTimes()
        start = self.clock.audio_s - (len(first) / SAMPLE_RATE if first is not None else 0.0)
        pending = [first] if first is not None else []
        checked_partial = ""

        def chunks() -> Iterator[np.ndarray]:
            yield from pending
            for b in blocks:
                self.clock.advance(len(b))
                yield b

        preroll: collections.deque[np.ndarray] = collections.deque()
        for block in chunks():
            status = ep.feed(block)
            if status is Status.WAITING:  # keep ~0.6 s so the recognizer hears the onset
                preroll.append(block)
                while sum(len(b) for b in preroll) > PREROLL_SAMPLES:
                    preroll.popleft()
                continue
            while preroll:
                rec.accept(preroll.popleft())
            rec.accept(block)
            if status.done:
                break
            if status is Status.SPEECH and ep.trailing_silence_ms >= ep.early_silence_ms:
                partial = rec.partial()
                if partial and partial != checked_partial:
                    checked_partial = partial
                    if is_complete(self.c.understander, partial, ep_cfg.early_confidence):
                        ep.end_early()
                        break
        if ep.status is Status.MAX_LENGTH:
            ep.absorb_noise()
        if ep.speech_start is None:
            self._set(State.IDLE)
            if quiet or ep.status is Status.WAITING:  # input ended before anyone spoke
                return None
            return self.respond(Transcript(text=""), times, self.clock.audio_s - start)
        times.speech_start = start + ep.speech_start
        times.speech_end = start + ep.speech_end
        times.endpoint = self.clock()
        transcript = rec.final()
        times.asr_final = self.clock()
        if not transcript.text.strip() or ep.status is Status.MAX_LENGTH:
            rec.forget_noise()  # don't let a noise's channel estimate spoil the next command
        else:
            rec.keep_channel()
        if quiet and not transcript.text.strip():  # a noise, not words: nobody was talking to us
            self._set(State.IDLE)
            return None
        return self.respond(transcript, times, self.clock.audio_s - start,
                            blocks=blocks if self.live else None)
