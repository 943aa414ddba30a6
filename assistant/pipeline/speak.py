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
from assistant.tts.sentences import split_sentences

# Words a speaker may pause before: a long first sentence is cut before the first of them.
_PHRASE_STARTS = frozenset(
    ["and", "but", "so", "because", "until", "left", "on", "for", "to", "at", "in", "with", "from", "which", "that"])
LONG_SENTENCE_WORDS = 8


def lead_clause(text: str) -> list[str]:
    """Sentences to synthesize one by one, with a short lead-in phrase cut off the first.

    Piper synthesizes a sentence at a time, so the first audio waits for the whole first
    sentence. Cutting it where a speaker pauses anyway (a comma after a short lead-in, or
    before a connective in a long sentence) makes the first audio ready in a fraction of that.
    """
    sentences = split_sentences(text)
    if not sentences:
        return []
    words = sentences[0].split()
    cut = next((i + 1 for i, w in enumerate(words[:3]) if w.endswith(",")), 0)
    if not cut and len(words) > LONG_SENTENCE_WORDS:
        cut = next((i for i in range(3, len(words) - 2)
                    if words[i].lower() in _PHRASE_STARTS), 0)
    if cut and len(words) - cut >= 2:
        return [" ".join(words[:cut]), " ".join(words[cut:]), *sentences[1:]]
    return sentences


def reply_sentences(reply: Reply) -> Iterator[str]:
    """The reply's text pieces in speaking order; fills ``reply.text`` from a stream."""
    if reply.stream is None:
        yield from lead_clause(reply.text)
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
