"""Answer open questions with the small language model, streamed so speech can start early.

``stream`` yields text as tokens decode; ``sentences`` groups it into whole sentences for the
TTS. The system prompt's KV cache is computed once at load, so the time to the first token
only covers the question. Both respect hard caps (``max_new_tokens``, ``max_seconds``);
``max_seconds`` counts the time spent computing, not the time the consumer takes between
pieces (speaking sentence one must not eat the budget for sentence two). A reply cut by a cap
never ends in half a sentence when ``sentences`` already has a whole one to say.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from assistant.config import GenerationConfig
from assistant.errors import ModelError
from assistant.generation.decoder import Cache, Decoder
from assistant.generation.prompt import SYSTEM_PROMPT, question_turn, system_turn
from assistant.generation.sampling import Sampler, Sampling
from assistant.tts.sentences import SentenceStream

TOKENIZER_FILE = "tokenizer.json"
MAX_SENTENCES = 2  # what the system prompt asks for; a small model tends to keep going
_COMPLETE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


@dataclass
class Stats:
    """What the last answer cost; ``stop`` is end | length | time | closed."""

    prompt_tokens: int = 0
    tokens: int = 0
    first_token_s: float | None = None
    compute_s: float = 0.0
    stop: str = ""


class Generator:
    """One loaded model answering one question at a time."""

    def __init__(self, model_dir: Path, cfg: GenerationConfig, *, sampling: Sampling | None = None,
                 system_prompt: str = SYSTEM_PROMPT, max_sentences: int = MAX_SENTENCES):
        self.cfg, self.system_prompt, self.max_sentences = cfg, system_prompt, max_sentences
        self.sampling = sampling or Sampling()
        self.decoder = Decoder(Path(model_dir), cfg.threads)
        path = Path(model_dir) / TOKENIZER_FILE
        try:
            self.tokenizer = Tokenizer.from_file(str(path))
        except Exception as e:  # tokenizers raises a bare Exception for missing or bad JSON
            raise ModelError(f"generation tokenizer {path} could not be loaded ({e})") from None
        self.stop_ids = {int(i) for i in self.decoder.config["stop_token_ids"]}
        self.specials = [t.content for t in self.tokenizer.get_added_tokens_decoder().values()]
        self.last = Stats()
        self._system = self._prefill(system_turn(system_prompt), self.decoder.empty_cache())[1]

    def _prefill(self, text: str, cache: Cache) -> tuple[np.ndarray, Cache]:
        """Logits and cache after ``text``. The system turn is prefilled once here and every
        answer continues from that cache (the cache tensors are never written in place)."""
        return self.decoder.forward(self.tokenizer.encode(text).ids, cache)

    def stream(self, question: str) -> Iterator[str]:
        """Text pieces of the answer as they decode (greedy unless ``sampling`` says otherwise)."""
        stats = self.last = Stats()
        started = time.monotonic()
        try:
            if self.cfg.max_new_tokens < 1:
                stats.stop = "length"
                return
            logits, cache = self._prefill(question_turn(question, self.specials), self._system)
            stats.prompt_tokens = cache.length
            stats.first_token_s = time.monotonic() - started
            sample, out, text = Sampler(self.sampling), [], ""
            while True:
                token = sample(logits[-1], out)
                if token in self.stop_ids:
                    stats.stop = "end"
                    return
                out.append(token)
                stats.tokens = len(out)
                decoded = self.tokenizer.decode(out)
                if len(decoded) > len(text) and not decoded.endswith("\ufffd"):  # whole chars only
                    piece, text = decoded[len(text):], decoded
                    stats.compute_s += time.monotonic() - started
                    yield piece
                    started = time.monotonic()
                if len(out) >= self.cfg.max_new_tokens:
                    stats.stop = "length"
                    return
                if stats.compute_s + time.monotonic() - started >= self.cfg.max_seconds:
                    stats.stop = "time"
                    return
                logits, cache = self.decoder.forward([token], cache)
        finally:
            stats.stop = stats.stop or "closed"
            stats.compute_s += time.monotonic() - started

    def sentences(self, question: str) -> Iterator[str]:
        """Whole sentences of the answer, each as soon as it is complete (for TTS)."""
        splitter, said = SentenceStream(), 0
        pieces = self.stream(question)
        try:
            for piece in pieces:
                for sentence in splitter.feed(piece):
                    yield sentence
                    said += 1
                    if said >= self.max_sentences:
                        return
            rest = splitter.flush()[: self.max_sentences - said]
            cut = self.last.stop in ("length", "time")
            if cut and rest and said + len(rest) > 1 and not _COMPLETE.search(rest[-1]):
                rest.pop()  # a cap cut the last sentence short: better unsaid
            yield from rest
        finally:
            pieces.close()
