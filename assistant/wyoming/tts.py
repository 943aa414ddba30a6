"""Text to speech: ``synthesize`` -> audio, and streamed synthesis sentence by sentence.

Streaming (``synthesize-start``, ``synthesize-chunk``..., ``synthesize-stop``): text arrives as
it is generated; each sentence is synthesized as soon as it is complete (the loop's own
sentence splitter) and its audio goes out as ``audio-start``, ``audio-chunk``...,
``audio-stop`` while the next text is still being read; ``synthesize-stopped`` follows the last.
The compatibility ``synthesize`` a client sends in between is ignored, as the protocol says.

Both forms cut the first sentence where a speaker pauses anyway (``lead_clause``): the first
audio waits for a short phrase, not a whole sentence, as it does in the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator

import numpy as np
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.event import Eventable
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStopped

from assistant.pipeline.speak import lead_clause
from assistant.tts.sentences import SentenceStream
from assistant.wyoming.engines import Engines
from assistant.wyoming.limits import ClientError

log = logging.getLogger(__name__)

SAMPLES_PER_CHUNK = 1024
MAX_TEXT_CHARS = 20000  # one synthesis: some twenty minutes of speech


class TtsSession:
    """One connection's synthesis, plain or streamed."""

    def __init__(self, engines: Engines, send: Callable[[Eventable], Awaitable[None]]) -> None:
        self.engines = engines
        self.send = send
        self._splitter: SentenceStream | None = None
        self._queue: asyncio.Queue[list[str] | None] = asyncio.Queue()
        self._speaker: asyncio.Task[None] | None = None
        self._first = True
        self._chars = 0

    @property
    def streaming(self) -> bool:
        return self._splitter is not None

    async def synthesize(self, request: Synthesize) -> None:
        if self.streaming:
            log.debug("tts: compatibility synthesize inside a stream, ignored")
            return
        self._note_voice(request.voice.name if request.voice else None)
        self._count(request.text)
        await self._speak(lead_clause(request.text))

    async def start(self, voice: str | None) -> None:
        if self.streaming:  # a new stream before the last one's stop: the last one is dropped
            await self.abort()
        self._note_voice(voice)
        self._splitter = SentenceStream()
        self._first = True
        self._chars = 0
        self._queue = asyncio.Queue()
        self._speaker = asyncio.create_task(self._speak_queue(), name="wyoming tts stream")

    def chunk(self, chunk: SynthesizeChunk) -> None:
        if self._splitter is None:
            raise ClientError("synthesize-chunk came without synthesize-start")
        self._count(chunk.text)
        for sentence in self._splitter.feed(chunk.text):
            self._put(sentence)

    async def stop(self) -> None:
        if self._splitter is None:
            raise ClientError("synthesize-stop came without synthesize-start")
        for sentence in self._splitter.flush():
            self._put(sentence)
        self._splitter = None
        self._queue.put_nowait(None)
        speaker, self._speaker = self._speaker, None
        if speaker is not None:
            await speaker
        await self.send(SynthesizeStopped())

    def _put(self, sentence: str) -> None:
        self._queue.put_nowait(lead_clause(sentence) if self._first else [sentence])
        self._first = False

    def _count(self, text: str) -> None:
        self._chars += len(text)
        if self._chars > MAX_TEXT_CHARS:
            raise ClientError(f"text to synthesize is over {MAX_TEXT_CHARS} characters")

    def _note_voice(self, name: str | None) -> None:
        ours = self.engines.c.synth.name
        if name and name not in ours:
            log.info("tts: voice %r asked for; speaking with %s", name, ours)

    async def _speak_queue(self) -> None:
        while (pieces := await self._queue.get()) is not None:
            await self._speak(pieces)

    async def _speak(self, pieces: list[str]) -> None:
        """One audio-start ... audio-stop holding ``pieces``, sent as each part is ready."""
        synth = self.engines.c.synth
        rate = synth.sample_rate
        started = False
        for piece in pieces:
            parts = synth.stream(piece)
            while (audio := await self.engines.run(self._next, parts)) is not None:
                if not started:
                    started = True
                    await self.send(AudioStart(rate=rate, width=2, channels=1))
                for i in range(0, len(audio), SAMPLES_PER_CHUNK):
                    block = audio[i : i + SAMPLES_PER_CHUNK].astype("<i2").tobytes()
                    await self.send(AudioChunk(rate=rate, width=2, channels=1, audio=block))
        if started:
            await self.send(AudioStop())

    def _next(self, parts: Iterator[np.ndarray]) -> np.ndarray | None:
        with self.engines.tts_lock:
            return next(parts, None)

    async def abort(self) -> None:
        self._splitter = None
        speaker, self._speaker = self._speaker, None
        if speaker is not None:
            speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await speaker  # its error (a hang-up, most likely) is the connection's, logged there
