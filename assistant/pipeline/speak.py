"""Speak a reply: sentence by sentence into the sink, so playback starts after the first one.

Plain replies are split into sentences by the synthesizer; streamed replies (the generative
model) arrive sentence by sentence and each goes to the synthesizer as soon as it is complete.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from assistant.audio.base import Sink
from assistant.events import Reply
from assistant.tts.base import Synthesizer


def reply_sentences(reply: Reply) -> Iterator[str]:
    """The reply's text pieces in speaking order; fills ``reply.text`` from a stream."""
    if reply.stream is None:
        if reply.text:
            yield reply.text
        return
    spoken: list[str] = [reply.text] if reply.text else []
    if reply.text:
        yield reply.text
    for sentence in reply.stream:
        spoken.append(sentence)
        reply.text = " ".join(spoken)
        yield sentence
    reply.stream = None


def speak(
    reply: Reply,
    synth: Synthesizer,
    sink: Sink,
    *,
    stop: threading.Event | None = None,
    on_first_audio: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Synthesize and play ``reply``; returns False when ``stop`` cut it short (barge-in)."""
    first = True
    for piece in reply_sentences(reply):
        for chunk in synth.stream(piece):
            if stop is not None and stop.is_set():
                sink.stop()
                return False
            sink.write(chunk, synth.sample_rate)
            if first:
                first = False
                if on_first_audio is not None:
                    on_first_audio(clock())
    sink.flush()
    return True
