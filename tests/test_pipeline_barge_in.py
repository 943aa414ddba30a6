"""Barge-in on a live loop: the wake word or "stop" cuts a long answer, a timer's chime and its
announcement. Real engines throughout; the microphone and the speaker run 4x real time."""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np
import pytest
from test_pipeline_loop import ListSource, build_components
from test_pipeline_loop import speech as _speech

from assistant.events import Reply
from assistant.pipeline.loop import VoiceLoop

SPEED = 4.0  # how much faster than real time the fake room runs


def speech(text: str, lead_s: float = 0.3, tail_s: float = 0.3) -> np.ndarray:
    return _speech(text, lead_s, tail_s)


class PacedSource(ListSource):
    """A microphone: blocks arrive as time passes."""

    def blocks(self):
        for block in super().blocks():
            yield block
            time.sleep(self.block / 16000 / SPEED)


class PacedSink:
    """A speaker: writing takes as long as playing would; ``stop`` cuts what is playing."""

    def __init__(self) -> None:
        self.played = 0.0  # seconds of audio played
        self.stops = 0
        self._cut = threading.Event()

    def write(self, samples: np.ndarray, rate: int) -> None:
        self._cut.clear()
        seconds = len(samples) / rate
        if not self._cut.wait(seconds / SPEED):
            self.played += seconds

    def flush(self) -> None:
        pass

    def stop(self) -> None:
        self.stops += 1
        self._cut.set()

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def components(tmp_path_factory):
    return build_components(tmp_path_factory, live=True)


LONG = ("Here is a long answer. It goes on for a while, sentence after sentence. "
        "Nobody wants to hear all of it. It keeps going. And going. And then some more. "
        "There is still more to say, and it says it slowly, one sentence at a time.")


def test_stop_cuts_a_timer_chime_and_its_announcement(components):
    sink = PacedSink()
    loop = VoiceLoop(dataclasses.replace(components, mode="wake_word"), sink, live=True)
    loop.announcements.put(Reply(LONG, intent="timer_fired", data={"chime": True}))
    mic = np.concatenate([np.zeros(int(0.2 * 16000), np.int16), speech("stop"),
                          np.zeros(16000 * 3, np.int16)])
    assert list(loop.run(PacedSource(mic))) == []
    assert sink.stops >= 1
    assert sink.played < 2.0  # the chime (0.6 s) and at most the first words


def test_the_wake_word_cuts_a_long_answer_and_the_next_command_is_heard(components, monkeypatch):
    sink = PacedSink()
    loop = VoiceLoop(dataclasses.replace(components, mode="wake_word"), sink, live=True)
    monkeypatch.setattr(components.dialogue, "respond",
                        lambda u, _orig=components.dialogue.respond: (
                            Reply(LONG, intent=u.intent) if u.intent == "joke" else _orig(u)))
    mic = np.concatenate([speech("hey jarvis"), speech("tell me a joke", tail_s=1.5),
                          speech("hey jarvis"), speech("what time is it", tail_s=2.0)])
    turns = list(loop.run(PacedSource(mic)))
    assert [t.understanding.intent for t in turns] == ["joke", "datetime_query"]
    assert turns[0].interrupted and not turns[1].interrupted
