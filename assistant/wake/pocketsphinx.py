"""Wake word for any phrase: pocketsphinx keyphrase spotting, then a grammar check.

The engine for a custom phrase ("hey hearth") that no openWakeWord model knows, and for the
one-word "stop" that cuts a playing reply.

Keyphrase spotting alone fires on "the computer ..." and "my computer ..." for the phrase
"hey computer" at any threshold: the long second word dominates the score. So each hit is
re-decoded against a tiny grammar where the first word competes with similar short words
("the", "my", "a", ...); only when "hey" wins is the wake word accepted.
"""

from __future__ import annotations

import logging

import numpy as np

from assistant.about import About
from assistant.asr.domain_lm import word_dict
from assistant.asr.sphinx_backend import FRAME_S, SphinxModel, SphinxRecognizer, make_decoder
from assistant.audio.base import SAMPLE_RATE
from assistant.config import WakeConfig
from assistant.errors import ConfigError
from assistant.wake.base import AudioRing, Detection, model_id

log = logging.getLogger(__name__)

FRAME = int(FRAME_S * SAMPLE_RATE)
VERIFY_SEARCH = "wake-verify"
# Short words that a spotter confuses with the first word of a two-word wake phrase. Not "a"
# (its EY pronunciation beats a soft "hey"), nor homophones like "hay"; "uh" stands for "a".
RIVALS = ("the", "my", "uh", "this", "that", "your", "our", "his", "her", "hi", "new", "old")
PREFIX = ("the", "a", "is", "my", "that", "this", "i", "it")
# One word cannot be checked against look-alikes the same way, so it needs a strict spotting
# threshold instead (measured: "stop" at 1e-30 fires on 8 of 9 unrelated replies, at 1e-5 on none).
SINGLE_WORD_MIN_THRESHOLD = 1e-5
RESTART_S = 30.0  # end the keyphrase utterance now and then so it does not grow without end


def verify_grammar(words: list[str]) -> str:
    """JSGF where the phrase's first word competes with look-alikes before the rest."""
    first, rest = words[0], " ".join(words[1:])
    rivals = " | ".join(dict.fromkeys([first, *(r for r in RIVALS if r != first)]))
    return (
        "#JSGF V1.0;\ngrammar wake;\n"
        f"public <w> = [<pre>] ({rivals}) {rest};\n"
        f"<pre> = {' | '.join(PREFIX)};\n"
    )


def phrase_of(cfg: WakeConfig) -> str:
    """The phrase pocketsphinx spots: ``wake.phrase``, else the first model's words."""
    return " ".join(cfg.phrase.split()) or (model_id(cfg.model[0]).replace("_", " ")
                                            if cfg.model else "")


def from_config(cfg: WakeConfig) -> SphinxWakeDetector:
    return SphinxWakeDetector(phrase_of(cfg), cfg.phrase_threshold)


class SphinxWakeDetector:
    """A ``WakeDetector`` that spots ``phrase``; ``threshold`` is the keyphrase threshold."""

    name = "pocketsphinx"

    def __init__(self, phrase: str, threshold: float = 1e-30, verify: bool = True,
                 model: SphinxModel | None = None) -> None:
        self.phrase = " ".join(phrase.lower().split())
        if not self.phrase:
            raise ConfigError("wake.phrase is empty")
        if not 0 < threshold <= 1:
            raise ConfigError(f"wake.phrase_threshold must be in (0, 1], got {threshold}")
        self.words = self.ids = [self.phrase]
        self.about = About(self.phrase, SphinxRecognizer.about.version, "CMU Sphinx",
                           SphinxRecognizer.about.url)
        model = model or SphinxModel.bundled()
        words = self.phrase.split()
        if len(words) == 1 or not verify:
            threshold = max(threshold, SINGLE_WORD_MIN_THRESHOLD)
        self.threshold = threshold
        self._kws = self._decoder(model, words, keyphrase=self.phrase, kws_threshold=threshold)
        self._verify = None
        if verify and len(words) > 1:
            self._verify = self._decoder(model, [*words, *RIVALS, *PREFIX])
            self._verify.add_jsgf_string(VERIFY_SEARCH, verify_grammar(words))
            self._verify.activate_search(VERIFY_SEARCH)
        self._ring = AudioRing()
        self._utt_start = 0  # sample index where the current keyphrase utterance began
        self._in_utt = False
        self.last: Detection | None = None
        self._detected_end = 0
        self.rejected = 0  # hits the verification turned down (for diagnostics)

    def _decoder(self, model: SphinxModel, words: list[str], **options: object):
        """A decoder whose dictionary holds only ``words`` (a fifth of the memory)."""
        return make_decoder(model.hmm, word_dict(words, model.dict), lm=None, **options)

    @property
    def elapsed(self) -> float:
        """Seconds of audio consumed since creation (the stream clock of ``last.time``)."""
        return self._ring.total / SAMPLE_RATE

    def _restart(self) -> None:
        if self._in_utt:
            self._kws.end_utt()
        self._kws.start_utt()
        self._in_utt = True
        self._utt_start = self._ring.total

    def _confirmed(self, start: int, end: int) -> bool:
        """Re-decode stream samples [start, end) against the look-alike grammar."""
        if self._verify is None:
            return True
        audio = self._ring.between(start - 30 * FRAME, end + 5 * FRAME)
        self._verify.start_utt()
        self._verify.process_raw(audio.tobytes(), False, True)
        self._verify.end_utt()
        hyp = self._verify.hyp()
        heard = hyp.hypstr.split() if hyp is not None else []
        ok = heard[-len(self.phrase.split()) :] == self.phrase.split()
        if not ok:
            self.rejected += 1
            log.debug("wake: rejected a hit that sounded like %r", " ".join(heard))
        return ok

    def accept(self, chunk: np.ndarray) -> bool:
        """Consume a chunk; True when the wake phrase was just heard."""
        chunk = np.asarray(chunk, dtype=np.int16)
        if not self._in_utt or (self._ring.total - self._utt_start) > RESTART_S * SAMPLE_RATE:
            self._restart()
        self._ring.append(chunk)
        self._kws.process_raw(chunk.tobytes(), False, False)
        hyp = self._kws.hyp()
        if hyp is None:
            return False
        segs = list(self._kws.seg())
        first, last = (segs[0].start_frame, segs[-1].end_frame) if segs else (0, 0)
        start, end = self._utt_start + first * FRAME, self._utt_start + (last + 1) * FRAME
        self._restart()  # the next detection starts from here
        if not self._confirmed(start, end):
            return False
        score = float(segs[-1].prob if segs else hyp.prob)  # pocketsphinx's posterior, 0..1
        self.last = Detection(self.phrase, end / SAMPLE_RATE, score)
        self._detected_end = end
        return True

    def audio_after_phrase(self) -> np.ndarray:
        """What was heard after the wake phrase ended (the command often follows at once)."""
        return self._ring.between(self._detected_end, self._ring.total)

    def reset(self) -> None:
        """Forget partial evidence (call after each detection or when listening resumes)."""
        self._restart()


class PhraseAligner:
    """Where a wake phrase ended in a stretch of audio, by pocketsphinx keyphrase alignment.

    openWakeWord decides 0.2-0.3 s after its phrase ends, often inside the command that follows
    at once. Cutting the recognizer's audio at the aligned end kept the command whole for 80 of
    84 commands (6 voices, with and without a pause; 71 by the quietest point before the
    decision, 48 from the decision itself). One alignment of 2 s costs about 50 ms.
    """

    def __init__(self, phrases: list[str], model: SphinxModel | None = None) -> None:
        model = model or SphinxModel.bundled()
        self._searches = {p: f"wake-{i}" for i, p in enumerate(phrases)}
        words = sorted({w for p in phrases for w in p.split()})
        self._decoder = make_decoder(model.hmm, word_dict(words, model.dict), lm=None,
                                     keyphrase=phrases[0], kws_threshold=1e-30)
        for phrase, search in self._searches.items():
            self._decoder.add_keyphrase(search, phrase)

    def phrase_end(self, phrase: str, audio: np.ndarray) -> int | None:
        """Sample index in ``audio`` just past the wake ``phrase``, if it is found there."""
        self._decoder.activate_search(self._searches[phrase])
        self._decoder.start_utt()
        self._decoder.process_raw(np.asarray(audio, np.int16).tobytes(), False, True)
        self._decoder.end_utt()
        segs = list(self._decoder.seg() or [])
        return (segs[-1].end_frame + 1) * FRAME if segs else None
