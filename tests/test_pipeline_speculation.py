"""Speculative decoding: the listener tells a recognizer that decodes after the turn when the
speaker pauses and when speech resumes; Whisper keeps the decode it started in the last pause."""

from __future__ import annotations

import time

import numpy as np
import pytest
from test_pipeline_loop import speech

from assistant.asr.vocabulary import Vocabulary
from assistant.asr.whisper import from_config
from assistant.audio.endpointers import make_endpointer
from assistant.audio.silero import SileroEndpointer
from assistant.audio.vad import EnergyEndpointer
from assistant.config import AsrConfig, EndpointConfig
from assistant.events import Transcript
from assistant.pipeline.clock import StreamClock
from assistant.pipeline.listener import SPECULATE_MS, Listener
from assistant.understanding.keywords import KeywordUnderstander


class Recorder:
    """A recognizer that decodes after the turn and writes down what the listener told it
    (a fake for the listener's own logic; Whisper itself is tested below)."""

    name = "recorder"
    about = None

    def __init__(self) -> None:
        self.events: list[str] = []
        self.samples = 0

    def accept(self, chunk: np.ndarray) -> bool:
        self.samples += len(chunk)
        return False

    def partial(self) -> str:
        return ""

    def final(self) -> Transcript:
        self.events.append("final")
        return Transcript(text="words", confidence=1.0)

    def reset(self) -> None:
        self.events.clear()

    def speculate(self) -> None:
        self.events.append(f"speculate@{self.samples / 16000:.2f}")

    def resume(self) -> None:
        self.events.append("resume")

    def settle(self) -> None:
        self.events.append("settle")


def blocks(x: np.ndarray):
    return iter([x[i:i + 480] for i in range(0, len(x), 480)])


def listen(rec, audio: np.ndarray):  # noqa: ANN001, ANN201
    listener = Listener(rec, make_endpointer(EndpointConfig()), KeywordUnderstander(),
                        EndpointConfig(), StreamClock())
    return listener.listen(blocks(audio), None, timeout_s=5.0)


@pytest.fixture(scope="module")
def two_phrases() -> np.ndarray:
    """Two phrases with a 0.4 s pause between them: one turn, one pause that is not the end."""
    a = speech("what is the weather", lead_s=0.5, tail_s=0.0)
    b = speech("in paris tomorrow", lead_s=0.4, tail_s=1.5)
    return np.concatenate([a, b])


def test_a_pause_that_was_not_the_end_is_taken_back_and_the_last_one_kept(two_phrases) -> None:
    rec = Recorder()
    heard = listen(rec, two_phrases)
    assert heard.transcript is not None
    kinds = [e.split("@")[0] for e in rec.events if e != "settle"]
    assert kinds == ["speculate", "resume", "speculate", "final"], rec.events
    # a file: the decode is waited for at the early end's look, only once one was started
    assert "settle" in rec.events and rec.events[0] != "settle"
    # each speculation comes once the pause is SPECULATE_MS long, well before the endpoint
    last = float([e for e in rec.events if e.startswith("speculate")][-1].split("@")[1])
    assert last < heard.times.endpoint - 0.3


def test_a_recognizer_that_cannot_speculate_is_left_alone(two_phrases) -> None:
    class Plain(Recorder):
        speculate = resume = settle = None  # type: ignore[assignment]

    rec = Plain()
    listen(rec, two_phrases)
    assert rec.events == ["final"]
    assert EndpointConfig().early_silence_ms > SPECULATE_MS  # it starts before an early end


@pytest.mark.parametrize("endpointer", [SileroEndpointer, EnergyEndpointer])
def test_speculation_waits_for_more_than_the_endpointers_lag(endpointer) -> None:
    """Silero calls frames voiced 64 ms late, so during speech the trailing silence reads 64 ms:
    a threshold under that would speculate on every word and never take it back (30 ms did:
    the transcript was the first word)."""
    assert endpointer.lag_s * 1000 + 20 < SPECULATE_MS


# --- Whisper keeps or drops what it started --------------------------------------------------

@pytest.fixture(scope="module")
def whisper():
    return from_config(AsrConfig(whisper_partials=False), Vocabulary())


def feed(rec, x: np.ndarray) -> None:  # noqa: ANN001
    for i in range(0, len(x), 480):
        rec.accept(x[i:i + 480])


def test_whisper_keeps_the_decode_started_in_the_last_pause(whisper) -> None:
    x = speech("set a timer for ten minutes", tail_s=0.3)
    whisper.reset()
    feed(whisper, x)
    whisper.speculate()
    feed(whisper, np.zeros(16000, np.int16))  # the rest of the silence before the endpoint
    assert whisper.final().text == "set a timer for ten minutes"


def test_whisper_drops_a_speculation_when_speech_resumes(whisper) -> None:
    whisper.reset()
    feed(whisper, speech("what is the weather", tail_s=0.2))
    whisper.speculate()
    whisper.resume()
    feed(whisper, speech("in paris tomorrow", lead_s=0.2))
    text = whisper.final().text
    assert "weather" in text and "paris" in text, text


def test_whisper_without_partials_offers_its_finished_speculation_as_the_partial(whisper) -> None:
    """So the listener can end the turn early on Whisper's own words: nothing before the
    decode is done, its text once it is, nothing again once speech resumed."""
    whisper.reset()
    feed(whisper, speech("set a timer for ten minutes", tail_s=0.3))
    assert whisper.partial() == ""
    whisper.speculate()
    whisper._speculation.result()  # the decode, done
    assert whisper.partial() == "set a timer for ten minutes"
    whisper.resume()
    assert whisper.partial() == ""
    whisper.reset()


def test_a_turn_ends_early_on_whispers_finished_speculation(whisper) -> None:
    """With no streaming partials, a complete command still ends the turn before the silence
    timeout, on the speculation the listener started, which ``final`` keeps."""
    audio = speech("set a timer for ten minutes", lead_s=0.5, tail_s=4.0)
    cfg = EndpointConfig(silence_ms=3000)  # a timeout no decode takes as long as

    def paced(x: np.ndarray):  # a microphone's pace: the decode runs while the pause goes on
        for block in blocks(x):
            time.sleep(0.03)
            yield block

    listener = Listener(whisper, make_endpointer(cfg), KeywordUnderstander(), cfg, StreamClock(),
                        live=True)  # never waits for the decode: the partial says when it is done
    heard = listener.listen(paced(audio), None, timeout_s=5.0)
    assert heard.transcript is not None and heard.transcript.text == "set a timer for ten minutes"
    assert heard.times.endpoint - heard.times.speech_end < 2.0  # not the 3 s timeout


def test_on_a_file_the_early_end_looks_once_as_much_audio_went_by_as_the_decode_took() -> None:
    """A microphone's audio keeps coming while the decode runs: on a file the early end may
    look only once that much audio has gone by, and speech that resumes before then drops the
    decode (and the wait) as it would live."""
    from assistant.pipeline.listener import Pause

    class Slow(Recorder):
        def settle(self) -> None:
            time.sleep(0.2)

    pause = Pause(Slow())
    assert pause.ready(1.0)  # nothing started
    pause.heard(SPECULATE_MS)
    pause.settle(1.0)
    assert not pause.ready(1.19) and pause.ready(2.0)
    pause.settle(1.1)  # waited for once: the same decode, done at the same point
    assert not pause.ready(1.19) and pause.ready(2.0)
    pause.heard(0.0)  # speech resumed before the decode was done
    assert pause.ready(1.1)
