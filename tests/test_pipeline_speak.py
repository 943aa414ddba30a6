"""Speaking a reply: lead-in phrase first, streamed sentences, barge-in stop."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.events import Reply
from assistant.pipeline.speak import lead_clause, speak


@pytest.mark.parametrize("text, pieces", [
    ("Okay, your 5 minute timer is starting now.", ["Okay,", "your 5 minute timer is starting now."]),
    ("The time is 2:36 AM.", ["The time is 2:36 AM."]),
    ("4 minutes and 48 seconds left on your 5 minute timer.",
     ["4 minutes and 48 seconds", "left on your 5 minute timer."]),
    ("Hello, Bob.", ["Hello, Bob."]),  # nothing worth cutting off
    ("Sure. Done.", ["Sure.", "Done."]),
    ("", []),
])
def test_lead_clause(text, pieces):
    assert lead_clause(text) == pieces


class RecordingSynth:
    """Records what it was asked to say; one chunk per call (a unit-test stand-in for piper)."""

    name, sample_rate = "recording", 16000

    def __init__(self) -> None:
        self.said: list[str] = []

    def stream(self, text: str):
        self.said.append(text)
        yield np.ones(160, np.int16)


class ListSink:
    def __init__(self) -> None:
        self.chunks, self.stopped = [], False

    def write(self, samples, rate):
        self.chunks.append(samples)

    def flush(self):
        pass

    def stop(self):
        self.stopped = True

    def close(self):
        pass


def test_streamed_reply_is_spoken_sentence_by_sentence_and_text_filled_in():
    synth, sink, firsts = RecordingSynth(), ListSink(), []
    reply = Reply("", stream=iter(["The sky scatters blue light.", "So it looks blue."]))
    assert speak(reply, synth, sink, on_first_audio=firsts.append, clock=lambda: 1.0)
    assert synth.said == ["The sky scatters blue light.", "So it looks blue."]
    assert reply.text == "The sky scatters blue light. So it looks blue."
    assert firsts == [1.0] and len(sink.chunks) == 2


def test_stop_event_cuts_the_reply_and_stops_the_sink():
    synth, sink, stop = RecordingSynth(), ListSink(), threading.Event()
    stop.set()
    assert not speak(Reply("One. Two. Three."), synth, sink, stop=stop)
    assert sink.stopped and sink.chunks == []


def test_early_end_needs_a_complete_confident_command():
    from assistant.config import UnderstandingConfig
    from assistant.household.understander import live_understander
    from assistant.pipeline.early_end import is_complete

    u, _ = live_understander(UnderstandingConfig())
    assert is_complete(u, "set a timer for five minutes", 0.85)
    assert is_complete(u, "what time is it", 0.85)
    assert not is_complete(u, "set a timer for five", 0.85)  # no unit yet
    assert not is_complete(u, "remember that my car is on", 0.85)  # dangling word
    assert not is_complete(u, "purple monkey dishwasher", 0.85)
    assert not is_complete(u, "", 0.85)
