"""The voice loop as a state machine: idle -> listening -> thinking -> speaking.

The same loop runs on a microphone and on WAV files. Time inside the loop is *stream time*
(``clock.py``), so the per-stage timings of ``assistant process`` mean the same as on the shelf.
Listening is the ``Listener``'s job, speaking (with barge-in) the ``Player``'s; the loop decides
what starts a turn and what a turn is.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
from collections.abc import Callable, Iterator

import numpy as np

from assistant.audio.base import Sink, Source
from assistant.audio.endpoint import Endpointer
from assistant.audio.endpointers import make_endpointer
from assistant.events import Reply, StageTimes, Transcript, Turn
from assistant.pipeline.clock import StreamClock
from assistant.pipeline.components import Components
from assistant.pipeline.listener import Listener
from assistant.pipeline.player import Cut, Player
from assistant.understanding.hearing import weigh
from assistant.values.slots import resolve

log = logging.getLogger(__name__)

NOT_CAUGHT = "Sorry, I didn't catch that."
POLL_S = 0.5  # how often timers, alarms and reminders are checked


class State(enum.Enum):
    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"


class VoiceLoop:
    """Hears, understands and answers; yields one ``Turn`` per exchange.

    What starts a turn is ``components.mode``: the wake word, a button (``talk``), or any
    speech ("always"). ``endpointer`` defaults to the configured one.
    """

    def __init__(
        self,
        components: Components,
        sink: Sink,
        *,
        on_state: Callable[[State], None] | None = None,
        live: bool = False,
        endpointer: Endpointer | None = None,
    ) -> None:
        self.c = components
        self.cfg = components.cfg
        self.mode = components.mode
        self.sink = sink
        self.state = State.IDLE
        self._on_state = on_state
        self.clock = StreamClock()
        self.announcements: queue.Queue[Reply] = queue.Queue()  # timers firing, from any thread
        self.talk = threading.Event()  # push-to-talk button
        self.live = live  # a real microphone: replies play while the microphone is watched
        self.listener = (Listener(components.recognizer,
                                  endpointer or make_endpointer(self.cfg.endpoint),
                                  components.understander, self.cfg.endpoint, self.clock,
                                  live=live)
                         if components.recognizer is not None else None)
        self.player = Player(components.synth, sink, self.clock, wake=components.wake,
                             barge_in=components.barge_in, gain=components.dialogue.gain)
        self._woken = False  # the wake word cut the last reply: listen at once
        self._next_poll = 0.0  # stream time of the next scheduler poll

    def describe(self) -> dict[str, str]:
        """Which engine fills each role, the endpointer included (status and ``--json``)."""
        vad = self.listener.endpointer.name if self.listener is not None else "off"
        return {**self.c.describe(), "vad": vad}

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
        cut = self.player.play(reply, times, blocks)
        self._woken = cut is Cut.WAKE
        times.done = self.clock()
        turn = Turn(transcript, understanding, reply, times, audio_seconds=audio_s,
                    interrupted=cut is not Cut.NOT)
        if self.c.history is not None:
            try:
                self.c.history.record(turn)
            except Exception as e:  # history must never take the loop down
                log.warning("history: %s", e)
        self._set(State.IDLE)
        return turn

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
        if self.clock() >= self._next_poll:
            self._next_poll = self.clock() + POLL_S
            for reply in self.c.dialogue.due():
                self.announcements.put(reply)
        while not self.announcements.empty():
            reply = self.announcements.get_nowait()
            self._set(State.SPEAKING)
            cut = self.player.play(reply, None, blocks,
                                   self.c.chime if reply.data.get("chime") else None)
            self._woken = cut is Cut.WAKE
            self._set(State.IDLE)

    # -- audio in --------------------------------------------------------------------------
    def run(self, source: Source) -> Iterator[Turn]:
        """Consume ``source`` until it ends; yield each completed turn."""
        blocks = source.blocks()
        follow_up = False
        for block in blocks:
            self.clock.advance(len(block))
            self.announce_due(blocks if self.live else None)
            if self._woken:  # the wake word cut the last reply short: listen right away
                self._woken = False
                follow_up = False
                first: np.ndarray | None = block
            else:
                first = self._turn_start(block, follow_up)
                if first is None:
                    continue
            # Always-listening ignores silence; after a wake word or a button, silence is answered.
            quiet = follow_up or self.mode == "always"
            turn = self._listen(blocks, first, follow_up=follow_up, quiet=quiet)
            follow_up = turn is not None and turn.reply.expects_answer
            if turn is not None:
                yield turn

    def _turn_start(self, block: np.ndarray, follow_up: bool) -> np.ndarray | None:
        """The audio a turn starts with, or None when this block starts none."""
        if follow_up or self.mode == "always":
            return block
        if self.mode == "push_to_talk":
            if not self.talk.is_set():
                return None
            self.talk.clear()
            return block
        wake = self.c.wake
        if wake is None or not wake.accept(block):
            return None
        first = wake.audio_after_phrase()
        wake.reset()
        return first

    def _listen(self, blocks: Iterator[np.ndarray], first: np.ndarray | None, *,
                follow_up: bool, quiet: bool) -> Turn | None:
        """Listening until the endpoint; then think and speak."""
        assert self.listener is not None, "audio in needs a recognizer"
        self._set(State.LISTENING)
        timeout = (self.cfg.wake.follow_up_seconds if follow_up
                   else self.cfg.endpoint.no_speech_timeout_s)
        heard = self.listener.listen(blocks, first, timeout)
        audio_s = self.clock.audio_s - heard.start
        transcript = heard.transcript
        if transcript is None:
            self._set(State.IDLE)
            if quiet or heard.input_ended:  # input ended before anyone spoke
                return None
            return self.respond(Transcript(text=""), heard.times, audio_s)
        if quiet and not transcript.text.strip():  # a noise, not words: nobody was talking to us
            self._set(State.IDLE)
            return None
        return self.respond(transcript, heard.times, audio_s,
                            blocks=blocks if self.live else None)
