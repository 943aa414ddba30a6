"""Every skill through the whole loop on synthesized speech: joe voice -> pocketsphinx ->
NLU -> skill -> piper. One recording per skill, one module-wide set of engines."""

from __future__ import annotations

import numpy as np
import pytest
from test_pipeline_loop import ListSource, speech

from assistant.audio.null import NullSink
from assistant.config import Config
from assistant.pipeline.components import build
from assistant.pipeline.loop import VoiceLoop
from assistant.store import Store

SPOKEN = [
    ("what day is it today", "datetime_query", "day"),
    ("set a pasta timer for twelve minutes", "timer_set", "pasta"),
    ("how long is left on my timer", "timer_query", "left"),
    ("cancel the timer", "timer_cancel", "cancel"),
    ("wake me up at six thirty tomorrow", "alarm_set", "6:30"),
    ("remind me to call mum at six", "reminder_set", "call m"),
    ("remember that my car is on level three", "memory_remember", "level three"),
    ("where is my car", "memory_recall", "level three"),
    ("add milk to the shopping list", "list_add", "milk"),
    ("what's on my shopping list", "list_read", "milk"),
    ("what's fifteen percent of eighty", "math_calculate", "12"),
    ("how many ounces in a kilo", "unit_convert", "35"),
    ("turn the volume up", "volume_up", "volume"),
    ("what can you do", "help", "timer"),
    ("tell me a joke", "joke", ""),
    ("what's the weather like", "weather_query", "offline"),
]


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    cfg = Config()
    cfg.generation.enabled = False
    c = build(cfg, audio_in=True, store=Store(tmp_path_factory.mktemp("db") / "h.db"),
              mode="always")
    return VoiceLoop(c, NullSink())


def test_every_skill_answers_spoken_commands(loop):
    """In order, as one household would say them (the recall needs the remember first).

    Speech recognition misses the odd word: Whisper tiny.en hears this voice's "add milk" as
    "and noke" (the grammar's "add milk", proposed from its second guess, is taken since it is
    steered) and "mum at six" as "my med six" (a reminder's task is free text: the grammar
    cannot correct it, and asks when). So the bar is 14 of 16 right end to end (15 here; int8
    arithmetic differs a little from CPU to CPU), with the misses listed.
    """
    audio = [speech(text) for text, _, _ in SPOKEN]
    wrong = []
    for (text, intent, words), clip in zip(SPOKEN, audio, strict=True):
        turns = list(loop.run(ListSource(clip)))
        got = [(t.transcript.text, t.understanding.intent, t.reply.text) for t in turns
               if t.understanding]
        if len(got) != 1 or got[0][1] != intent or words.lower() not in got[0][2].lower():
            wrong.append((text, got))
    assert len(wrong) <= 2, wrong


def test_speech_reply_reaches_the_sink(loop):
    chunks = []

    class Sink(NullSink):
        def write(self, samples, rate):
            chunks.append(samples)

    list(VoiceLoop(loop.c, Sink()).run(ListSource(speech("what time is it"))))
    assert chunks and np.concatenate(chunks).std() > 100
