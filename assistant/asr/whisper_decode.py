"""One Whisper decode, in the parts steering needs: encode once, write freely, score given texts.

faster-whisper's ``transcribe`` pads every utterance to Whisper's 30 s window and encodes all of
it: 0.6 s on one core for a 2 s command. CTranslate2's encoder also takes a shorter window
(``window_frames``): 15 s costs a quarter of 30 s, and holds its accuracy on real speech once
the window is padded the way Whisper was trained (``silence_level``). The encoder's
output is then shared by the free decode (CTranslate2's, an n-best), by ``follow``, which decodes
along the command grammar (``whisper_grammar.py``), and by ``score``, which reads the probability
of any given text: both on our own cached decoder (``whisper_step.py``), since CTranslate2
decodes every prefix afresh. That is how a grammar sentence is checked against the audio
(``steer.py``).

Whether anything was said at all is Whisper's own judgement (``is_no_speech``), made per window:
audio longer than one window (dictation over Wyoming) is written window by window, freely, and a
window with no speech in it is left out.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np

from assistant.asr.whisper_grammar import TokenGrammar, search
from assistant.asr.whisper_step import Cache, WhisperStep
from assistant.audio.base import SAMPLE_RATE
from assistant.values.written import spoken

T = TypeVar("T")
U = TypeVar("U")

HOP = 160  # samples per feature frame (10 ms)
FULL_WINDOW = 3000  # frames: Whisper's 30 s
# frames: the shortest window encoded. Encoder 89 / 145 / 235 / 604 ms at 10 / 15 / 20 / 30 s
# (one thread). Padded with silence, 15 s hears real people as well as 30 s: WER 0.098 against
# 0.102 on 150 Asterisk prompts, 0.033 against 0.054 on pocketsphinx's test data
# (benchmarks/real_speech.py --limit 150 --whisper-windows 3000); padded with 0.0, as
# faster-whisper pads, 15 s made a fifth more word errors than 30 s, and 10 s repeats short
# words either way ("april april").
MIN_WINDOW = 1500
MARGIN = 100  # frames of padding kept after the speech, at least
# token rows scored in one decoder pass: each row's log-probabilities over the vocabulary take
# 0.2 MB, held a few times over while the pass runs
SCORE_ROWS = 64


# Whisper's judgement that nothing was said, as in Whisper's own transcribe(): no speech
# likely AND the words unlikely
NO_SPEECH_PROB = 0.6
LOGPROB_FLOOR = -1.0
COMPRESSION_RATIO = 2.4  # text this repetitive is a decoding loop, not speech
# What Whisper writes on silence and noise (learned from subtitles), in spoken form. Dropped
# unless Whisper is sure speech was there: a real "thank you" is heard with no_speech_prob
# near 0 and a high log-probability.
HALLUCINATIONS = frozenset({
    "you", "thank you", "thank you very much", "thanks for watching", "thank you for watching",
    "thanks for listening", "bye", "bye bye", "so", "oh", "uh", "um", "hmm", "the", "i",
    "please subscribe", "subtitles by the amara org community", "music", "applause",
    "silence", "laughter", "okay",
})
HALLUCINATION_NO_SPEECH = 0.1
HALLUCINATION_LOGPROB = -0.5


def window_frames(frames: int, minimum: int = MIN_WINDOW) -> int:
    """The encoder window for ``frames`` of audio: the audio plus a margin, in whole seconds,
    at least ``minimum`` and at most Whisper's 30 s."""
    return int(min(FULL_WINDOW, max(minimum, math.ceil((frames + MARGIN) / 100) * 100)))


def silence_level(feats: np.ndarray) -> float:
    """The feature value of digital silence in this utterance's log-mel spectrogram, which is
    what pads its window. Whisper hears a window padded with silence *before* the spectrogram is
    taken (OpenAI's ``transcribe`` appends 30 s of zero samples), so the padding sits at the
    spectrogram's floor: 8 decades (2.0 after Whisper's scaling) under its loudest bin, or the
    clip at 1e-10 power. faster-whisper pads the scaled features with 0.0 instead, a flat sound
    Whisper never heard in training. In a 30 s window that matters little (most of it is
    padding either way); in 15 s it cost a quarter more word errors on real recordings (129
    against 104 on 150 Asterisk prompts) and made short words repeat."""
    clip = (math.log10(1e-10) + 4.0) / 4.0  # Whisper's scaling: (log10 power + 4) / 4
    return max(float(feats.max()) - 2.0, clip) if feats.size else clip


@dataclass(frozen=True)
class Hypothesis:
    """One written transcript and its mean token log-probability (end of text included)."""

    written: str
    avg_logprob: float


@dataclass(frozen=True)
class Written:
    """The free decode of an utterance: its n-best (best first) and Whisper's no-speech
    probability."""

    hypotheses: tuple[Hypothesis, ...]
    no_speech: float

    @property
    def best(self) -> Hypothesis:
        return self.hypotheses[0] if self.hypotheses else Hypothesis("", -2.0)


class Scored(NamedTuple):
    """How well a text fits the audio: the sum of its tokens' log-probabilities, its end of
    text included, and that end's own (how sure Whisper is that the speech ends where the text
    does: a sentence cut short at a pause scores well as a sum, but not its end)."""

    logprob: float
    end: float


@dataclass
class Encoded:
    """The encoder's output for one window, and how many of its frames are audio."""

    output: Any  # ctranslate2.StorageView, [1, window/2, d_model]
    frames: int


@dataclass(frozen=True)
class Transcribed(Generic[T, U]):
    """What ``WhisperDecoder.transcribe`` worked out: the free decode, the encoding (one window
    only) and the results of the work done beside and after the free decode (if run)."""

    written: Written
    encoded: Encoded | None
    along: T | None = None
    ahead: U | None = None


class WhisperDecoder:
    """Free decoding, decoding along the grammar and forced scoring over one faster-whisper
    model and its cached step decoder (both shared, read only).

    ``prompt`` is the initial prompt (text before the utterance); ``beam`` the free decode's
    beam; ``nbest`` how many of its hypotheses to keep (at most the beam).
    """

    def __init__(self, model: Any, steps: WhisperStep, prompt: str = "", beam: int = 1,
                 nbest: int = 1, min_window: int = MIN_WINDOW) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        self.steps = steps
        self.prompt = prompt
        self.tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                   task="transcribe", language="en")
        self.beam = max(1, beam, nbest)
        self.nbest = max(1, min(nbest, self.beam))
        self.min_window = min_window
        tk = self.tokenizer
        prompt_ids = tk.encode(" " + prompt.strip())[-(model.max_length // 2 - 1):] if prompt.strip() else []
        self.start = ([tk.sot_prev, *prompt_ids] if prompt_ids else []) + [*tk.sot_sequence, tk.no_timestamps]
        # texts are scored and the grammar followed without the prompt: the grammar spells the
        # household's words already, and every text is scored the same way
        self.score_start = [*tk.sot_sequence, tk.no_timestamps]

    def encode(self, audio: np.ndarray) -> Encoded:
        """Encode up to 30 s of float32 audio (16 kHz) in the shortest window that keeps it."""
        import ctranslate2

        feats = self.model.feature_extractor(audio)[:, :FULL_WINDOW]
        frames = feats.shape[-1]
        window = np.full((feats.shape[0], window_frames(frames, self.min_window)),
                         silence_level(feats), np.float32)
        window[:, :frames] = feats
        view = ctranslate2.StorageView.from_array(window[None])
        return Encoded(self.model.model.encode(view, to_cpu=True), frames)

    def write(self, encoded: Encoded, max_new_tokens: int) -> Written:
        """The free decode (temperature 0): n-best hypotheses and the no-speech probability."""
        result = self.model.model.generate(
            encoded.output, [self.start], beam_size=self.beam, num_hypotheses=self.nbest,
            return_scores=True, return_no_speech_prob=True, length_penalty=1.0,
            max_length=len(self.start) + max_new_tokens, suppress_blank=True)[0]
        hyps = []
        for ids, score in zip(result.sequences_ids, result.scores, strict=True):
            text_ids = [t for t in ids if t < self.tokenizer.eot]
            # score = sum of log-probabilities / tokens (length_penalty 1); mean over tokens + end
            total = score * max(1, len(ids))
            hyps.append(Hypothesis(self.tokenizer.decode(text_ids).strip(), total / (len(ids) + 1)))
        return Written(tuple(hyps), float(result.no_speech_prob))

    def begin(self, encoded: Encoded) -> tuple[Cache, np.ndarray]:
        """The step decoder over ``encoded``, after the start tokens (no prompt)."""
        return self.steps.start(np.asarray(encoded.output), self.score_start)

    def score(self, encoded: Encoded, texts: list[str],
              begun: tuple[Cache, np.ndarray] | None = None,
              known: Mapping[str, Scored] | None = None) -> list[Scored]:
        """Each text's ``Scored`` (forced decoding over the cache of the start tokens: several
        texts a pass, the shorter padded at their end, which causal attention keeps from
        changing what comes before). Texts in ``known`` (``follow``'s sentences, scored by the
        search itself) are not decoded again."""
        known = known or {}
        cache, first = begun or self.begin(encoded)
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        limit = self.steps.max_length - cache.length - 1
        seqs = sorted(((self.tokenizer.encode(" " + t)[:limit], t) for t in todo),
                      key=lambda s: len(s[0]))
        scored = dict(known)
        while seqs:  # the shortest first, as many as fit in SCORE_ROWS token rows a pass
            n = 1
            while n < len(seqs) and (n + 1) * len(seqs[n][0]) <= SCORE_ROWS:
                n += 1
            batch, seqs = seqs[:n], seqs[n:]
            width = len(batch[-1][0])
            _, lp = self.steps.step(
                cache, [s + [self.tokenizer.eot] * (width - len(s)) for s, _ in batch], every=True)
            for row, (tokens, text) in enumerate(batch):
                seq = [*tokens, self.tokenizer.eot]
                steps = [float(first[0, seq[0]]), *(float(lp[row, i, t])
                                                    for i, t in enumerate(seq[1:]))]
                scored[text] = Scored(sum(steps), steps[-1])
        return [scored[t] for t in texts]

    def follow(self, encoded: Encoded, grammar: TokenGrammar, beam: int, nbest: int = 3,
               begun: tuple[Cache, np.ndarray] | None = None,
               stop: Callable[[], bool] = lambda: False) -> dict[str, Scored]:
        """Up to ``nbest`` distinct grammar sentences (spoken form), Whisper decoding only along
        the grammar's token paths, best first, each with its ``score``: the search's own sum
        where the sentence is written in the tokens it was found in, else scored again (a
        wildcard that wrote "5" is read "five"). ``stop``: the search ends early when it says
        so (with what was found by then)."""
        begun = begun or self.begin(encoded)
        found = search(grammar, *begun, self.steps.step, beam, nbest * 2,
                       max_tokens=_budget(encoded.frames * HOP, 8.0),
                       is_text=lambda t: t < self.tokenizer.eot, stop=stop)
        out: dict[str, Scored] = {}
        for f in found:
            text = spoken(self.tokenizer.decode(list(f.tokens)))
            if not text or text in out:
                continue
            if self.tokenizer.encode(" " + text) == list(f.tokens):
                out[text] = Scored(f.logprob, f.end)
            else:
                out[text] = self.score(encoded, [text], begun)[0]
            if len(out) == nbest:
                break
        return out

    def token_grammar(self, dfa: Any) -> TokenGrammar:
        """``dfa`` (a word automaton) read in this model's tokens."""
        return TokenGrammar(dfa, self.tokenizer.encode, self.tokenizer.eot)

    def transcribe(self, audio: np.ndarray, tokens_per_second: float = 8.0,
                   beside: Callable[[Encoded, Future[Written]], T] | None = None,
                   side_by_side: bool = False,
                   then: Callable[[Written, Encoded], U] | None = None,
                   ) -> Transcribed[T, U]:
        """Write float32 audio freely. Up to 30 s: one window, whose encoding is returned for
        ``score``, with the result of ``beside`` (more work on the same encoding, handed the
        free decode as a future): run after the free decode when it heard speech, or,
        ``side_by_side``, on this thread while the free decode runs on a second core (both wait
        on the encoder; ``beside`` may look whether the free decode is done, never wait for
        it), where ``then`` follows the free decode on that core (work that needs what was
        written; it may wait for ``beside``). Longer: window after window, joined (no encoding
        returned, neither run)."""
        step = FULL_WINDOW * HOP
        if len(audio) <= step:
            enc = self.encode(audio)
            budget = _budget(len(audio), tokens_per_second)
            if beside is None:
                return Transcribed(self.write(enc, budget), enc)
            written_soon: Future[Written] = Future()
            if side_by_side:
                free = worker("whisper-free").submit(self._write_then, enc, budget, then,
                                                     written_soon)
                along = beside(enc, written_soon)
                written, ahead = free.result()
                return Transcribed(written, enc, along, ahead)
            written = self.write(enc, budget)
            written_soon.set_result(written)
            return Transcribed(written, enc,
                               None if said_nothing(written) else beside(enc, written_soon))
        parts = [self.write(self.encode(audio[i:i + step]), _budget(step, tokens_per_second))
                 for i in range(0, len(audio), step)]
        # a window with no speech (the last fraction of a second, a pause) is left out, not
        # allowed to make the whole recording "nothing said"
        parts = [p for p in parts if not said_nothing(p)]
        if not parts:
            return Transcribed(Written((), 1.0), None)
        text = " ".join(p.best.written for p in parts)
        hyp = Hypothesis(text, min(p.best.avg_logprob for p in parts))
        return Transcribed(Written((hyp,), min(p.no_speech for p in parts)), None)

    def _write_then(self, encoded: Encoded, budget: int,
                    then: Callable[[Written, Encoded], U] | None,
                    done: Future[Written]) -> tuple[Written, U | None]:
        try:
            written = self.write(encoded, budget)
        except BaseException as e:
            done.set_exception(e)
            raise
        done.set_result(written)
        return written, (then(written, encoded) if then is not None and not said_nothing(written)
                         else None)


_WORKERS: dict[str, ThreadPoolExecutor] = {}
_WORKERS_LOCK = threading.Lock()


def worker(name: str) -> ThreadPoolExecutor:
    """The one thread of the process that runs work called ``name`` (speculative decodes, free
    decodes beside the grammar search): one Pi core each, never two of a kind at once.
    CTranslate2 and onnxruntime release the GIL while they decode."""
    with _WORKERS_LOCK:
        if name not in _WORKERS:
            _WORKERS[name] = ThreadPoolExecutor(1, thread_name_prefix=name)
        return _WORKERS[name]


def is_no_speech(text: str, avg_logprob: float, no_speech: float, ratio: float) -> bool:
    """Whisper's output on silence or noise: its own no-speech rule, a decoding loop, or one of
    its known hallucinations heard without clear speech."""
    if no_speech > NO_SPEECH_PROB and avg_logprob < LOGPROB_FLOOR:
        return True
    if ratio > COMPRESSION_RATIO:
        return True
    return text in HALLUCINATIONS and (no_speech > HALLUCINATION_NO_SPEECH
                                       or avg_logprob < HALLUCINATION_LOGPROB)


def said_nothing(written: Written) -> bool:
    """Whisper's best text is no speech (``is_no_speech``), or empty."""
    from faster_whisper.transcribe import get_compression_ratio  # loaded with the model

    best = written.best
    text = spoken(best.written)
    return not text or is_no_speech(text, best.avg_logprob, written.no_speech,
                                    get_compression_ratio(text))


def _budget(samples: int, tokens_per_second: float) -> int:
    """New tokens allowed: a command is ~3 tokens/s, so a decoding loop stops early."""
    return min(200, int(tokens_per_second * samples / SAMPLE_RATE) + 12)
