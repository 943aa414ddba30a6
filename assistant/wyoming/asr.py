"""Speech to text: ``transcribe`` + audio -> ``transcript``, with streamed partial words.

The recognizer is the loop's own (the household's domain language model included), taken from
the pool for one stream. Home Assistant finds the end of speech itself (``audio-stop``), so
every chunk goes to the recognizer and ``audio-stop`` asks for the final words at once.

Streaming (``transcript-start``, ``transcript-chunk``..., then ``transcript`` and
``transcript-stop``): a chunk carries only words that should not change any more, all of the
partial hypothesis but its last word, and only while the hypothesis still begins with what was
sent. The ``transcript`` event is the whole authoritative text, as the protocol asks.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import numpy as np
from wyoming.asr import Transcribe, Transcript, TranscriptChunk, TranscriptStart, TranscriptStop
from wyoming.audio import AudioChunk
from wyoming.event import Eventable

from assistant.asr.base import Recognizer, learn_channel
from assistant.wyoming.audio_in import AudioIn
from assistant.wyoming.engines import Engines
from assistant.wyoming.limits import ClientError

log = logging.getLogger(__name__)

LANGUAGE = "en"
PARTIAL_EVERY_S = 0.3  # audio between looks at the partial hypothesis


def stable_words(sent: list[str], partial: str) -> list[str]:
    """Words of ``partial`` after those already ``sent`` that are settled: all but the last,
    and none when the recognizer has changed its mind about what was sent."""
    words = partial.split()
    if words[: len(sent)] != sent:
        return []
    return words[len(sent) : -1]


class AsrStream:
    """One connection's speech-to-text stream (at most one at a time)."""

    def __init__(self, engines: Engines, send: Callable[[Eventable], Awaitable[None]],
                 max_audio_s: float) -> None:
        self.engines = engines
        self.send = send
        self.max_audio_s = max_audio_s
        self.language: str | None = None
        self._rec: Recognizer | None = None
        self._audio = AudioIn()
        self._sent: list[str] = []
        self._next_partial = PARTIAL_EVERY_S

    @property
    def active(self) -> bool:
        return self._rec is not None

    def transcribe(self, request: Transcribe) -> None:
        if request.language and not request.language.lower().startswith(LANGUAGE):
            log.info("asr: asked for language %r; this recognizer speaks English",
                     request.language)
        self.language = request.language

    async def start(self) -> None:
        if self._rec is not None:  # a second audio-start: the first stream was never stopped
            await self.abort()
        self._rec = await self.engines.run(self._take)
        self._audio = AudioIn()
        self._sent = []
        self._next_partial = PARTIAL_EVERY_S
        await self.send(TranscriptStart(language=LANGUAGE))

    def _take(self) -> Recognizer:
        rec = self.engines.recognizers.take()
        rec.reset()
        return rec

    async def chunk(self, chunk: AudioChunk) -> None:
        if self._rec is None:
            await self.start()
        samples = self._audio.convert(chunk)
        if self._audio.seconds > self.max_audio_s:
            raise ClientError(f"speech-to-text audio went on for over {self.max_audio_s:g} s "
                              "without audio-stop")
        look = self._audio.seconds >= self._next_partial
        if look:
            self._next_partial = self._audio.seconds + PARTIAL_EVERY_S
        partial = await self.engines.run(self._accept, samples, look)
        new = stable_words(self._sent, partial) if partial else []
        if new:
            await self.send(TranscriptChunk(text=(" " if self._sent else "") + " ".join(new)))
            self._sent += new

    def _accept(self, samples: np.ndarray, look: bool) -> str:
        assert self._rec is not None
        if len(samples):
            self._rec.accept(samples)
        return self._rec.partial() if look else ""

    async def stop(self) -> None:
        if self._rec is None:  # audio-stop with no audio: nothing was said
            await self.start()
        tail = self._audio.flush()
        rec, self._rec = self._rec, None
        text = await self.engines.run(self._final, rec, tail)
        rest = text.split()
        if rest[: len(self._sent)] == self._sent and len(rest) > len(self._sent):
            words = rest[len(self._sent) :]
            await self.send(TranscriptChunk(text=(" " if self._sent else "") + " ".join(words)))
        await self.send(Transcript(text=text, language=LANGUAGE))
        await self.send(TranscriptStop())

    def _final(self, rec: Recognizer, tail: np.ndarray) -> str:
        try:
            if len(tail):
                rec.accept(tail)
            # Home Assistant acts on the words without asking back: no merely offered sentence
            text = rec.final().vouched_text()
            learn_channel(rec, bool(text.strip()))  # as in the loop
            return text
        finally:
            self.engines.recognizers.give(rec)

    async def abort(self) -> None:
        """The stream ends without audio-stop (hang-up, error): the recognizer goes back clean."""
        rec, self._rec = self._rec, None
        if rec is not None:
            await self.engines.run(self._drop, rec)

    def _drop(self, rec: Recognizer) -> None:
        rec.final()
        learn_channel(rec, False)
        self.engines.recognizers.give(rec)
