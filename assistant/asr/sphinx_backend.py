"""pocketsphinx 5: small, fast English recognition with a swappable language model or grammar.

Runs at a fraction of real time on a Pi. The command language model (``domain_lm``) makes it
accurate on what Hearth can do; the bundled general model stays for open questions.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.about import About, package_version
from assistant.asr.transcript import clean_text, clean_word, transcript
from assistant.errors import ModelError
from assistant.events import Transcript, Word

log = logging.getLogger(__name__)

FRAME_S = 0.01  # pocketsphinx frames are 10 ms
MODEL, HMM = "pocketsphinx-en-us", "en-us"  # the manifest's model and its acoustic model folder
GRAMMAR_SEARCH = "hearth-grammar"
# pocketsphinx reports scores as logmath.exp(raw) with base 1.0001; back to raw units
_LN_BASE = math.log(1.0001)
LATTICE_SHIFT = 1024  # lattice (bestpath) acoustic scores are not shifted by SENSCR_SHIFT
FILLERS = ("SIL", "+SPN+", "+NSN+")  # what a phone loop calls silence and noise


@dataclass
class BestPath:
    """A search's best path: total acoustic score (raw units), its words, and how many frames
    those words (not silence or noise fillers) take."""

    score: float
    words: tuple[str, ...]
    word_frames: int = 0


@dataclass(frozen=True)
class SphinxModel:
    """The files of a pocketsphinx model: acoustic model folder, dictionary, language model."""

    hmm: Path
    dict: Path
    lm: Path

    @classmethod
    def bundled(cls) -> SphinxModel:
        """The en-us model shipped in the pocketsphinx wheel (via the model registry)."""
        from assistant.models.registry import locate

        folder = locate(MODEL)
        model = cls(folder / HMM, folder / "cmudict-en-us.dict", folder / "en-us.lm.bin")
        for p in (model.hmm, model.dict, model.lm):
            if not p.exists():
                raise ModelError(f"pocketsphinx model is incomplete: {p} is missing")
        _check_acoustic_model(str(folder))
        return model


@functools.lru_cache(maxsize=4)
def _check_acoustic_model(folder: str) -> None:
    """Hash the acoustic model files once per process (7 MB, ~15 ms): pocketsphinx ends the
    whole process on a damaged one instead of raising."""
    from assistant.models.checksums import check_files
    from assistant.models.registry import Registry

    files = [f for f in Registry().entry(MODEL).files if f.path.startswith(HMM + "/")]
    problems = check_files(Path(folder), files)
    if problems:
        _check_acoustic_model.cache_clear()  # a repaired model is checked again
        raise ModelError(f"pocketsphinx model is corrupt ({problems[0]} in {folder}); "
                         "reinstall it: pip install --force-reinstall pocketsphinx==5.1.1")


def make_decoder(hmm: Path, dict_path: Path, **options: Any) -> Any:
    """A pocketsphinx Decoder; any load failure becomes a one-line ModelError."""
    from pocketsphinx import Decoder

    kwargs = {"hmm": str(hmm), "dict": str(dict_path), "loglevel": "FATAL"}
    kwargs.update({k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()})
    try:
        return Decoder(**kwargs)
    except (RuntimeError, ValueError, OSError) as e:
        what = options.get("lm") or options.get("jsgf") or hmm
        raise ModelError(f"pocketsphinx could not load {what}: {e}") from None


def phone_loop(model: SphinxModel, dictionary: Path) -> Any:
    """A decoder that hears any phones in any order (the bundled phonetic LM): the best path
    the acoustic model finds at all, which a word hypothesis is measured against. It needs no
    words: ``dictionary`` can be a tiny one (the whole CMU dictionary costs 20 MB)."""
    phones = model.lm.with_name("en-us-phone.lm.bin")
    if not phones.exists():
        raise ModelError(f"pocketsphinx model is incomplete: {phones} is missing")
    return make_decoder(model.hmm, dictionary, allphone=phones, bestpath=False, lw=2.0)


def jsgf(phrases: list[str]) -> str:
    """A JSGF grammar accepting exactly one of ``phrases``."""
    alts = " | ".join(" ".join(p.lower().split()) for p in phrases if p.strip())
    if not alts:
        raise ValueError("a grammar needs at least one phrase")
    return f"#JSGF V1.0;\ngrammar hearth;\npublic <utt> = {alts} ;\n"


class SphinxRecognizer:
    """The ``Recognizer`` protocol over one pocketsphinx Decoder.

    pocketsphinx 5 does no endpointing inside the decoder, so ``accept`` always returns False
    (the loop's ``Endpointer`` decides).
    """

    name = "pocketsphinx"
    about = About(MODEL, package_version("pocketsphinx"), "CMU Sphinx",
                  "https://github.com/cmusphinx/pocketsphinx")

    def __init__(self, decoder: Any, label: str = "pocketsphinx", n_alternatives: int = 3,
                 source: str = "open") -> None:
        self.decoder = decoder
        self.name = label
        self.source = source  # "open" (a language model) or "grammar" (the command grammar)
        self.n_alternatives = n_alternatives
        self._lm_search = decoder.current_search()
        self._in_utt = False
        self._good_cmn = decoder.get_cmn()  # channel estimate from the last real speech

    def accept(self, chunk: np.ndarray) -> bool:
        if not self._in_utt:
            self.decoder.start_utt()
            self._in_utt = True
        self.decoder.process_raw(np.asarray(chunk, dtype=np.int16).tobytes(), False, False)
        return False

    def partial(self) -> str:
        if not self._in_utt:
            return ""
        hyp = self.decoder.hyp()
        return clean_text(hyp.hypstr) if hyp is not None else ""

    def final(self) -> Transcript:
        if not self._in_utt:
            return Transcript(text="", confidence=0.0)
        self.decoder.end_utt()
        self._in_utt = False
        if self.decoder.hyp() is None:
            return Transcript(text="", confidence=0.0)
        words = []
        for seg in self.decoder.seg():
            w = clean_word(seg.word)
            if w is not None:
                words.append(Word(w, seg.start_frame * FRAME_S, (seg.end_frame + 1) * FRAME_S,
                                  min(1.0, float(seg.prob))))
        alts: list[str] = []
        if self.n_alternatives:
            try:
                for i, nb in enumerate(self.decoder.nbest()):
                    if nb is not None:
                        alts.append(clean_text(nb.hypstr))
                    if i >= 4 * self.n_alternatives:
                        break
            except RuntimeError:  # no lattice (e.g. keyphrase search)
                pass
        if not words:
            return Transcript(text="", confidence=0.0)
        result = transcript(words, alts)
        result.alternatives = result.alternatives[: self.n_alternatives]
        result.source = self.source
        return result

    def reset(self) -> None:
        self.end()

    def end(self) -> bool:
        """End the utterance, if one is open; True when one was (its search can be read)."""
        if not self._in_utt:
            return False
        self.decoder.end_utt()
        self._in_utt = False
        return True

    @property
    def frames(self) -> int:
        """Frames of the last utterance."""
        return int(self.decoder.n_frames())

    def best_path(self, lattice: bool = False) -> BestPath | None:
        """The best path of the ended utterance; None without one (or when a score
        underflowed: a path that bad is no evidence for anything)."""
        if self.decoder.hyp() is None:
            return None
        total = 0.0
        words = []
        word_frames = 0
        for seg in self.decoder.seg() or ():
            a = float(seg.ascore)
            if a <= 0.0:
                return None
            total += math.log(a) / _LN_BASE
            w = clean_word(seg.word)
            if w is not None:
                words.append(w)
                word_frames += seg.end_frame - seg.start_frame + 1
        return BestPath(total / LATTICE_SHIFT if lattice else total, tuple(words), word_frames)

    def speech_frames(self) -> int:
        """Frames of the ended utterance not called silence or noise (a phone loop's)."""
        return sum(seg.end_frame - seg.start_frame + 1 for seg in self.decoder.seg() or ()
                   if seg.word not in FILLERS)

    def forget_noise(self) -> None:
        """The last utterance was noise: return the cepstral mean to the last speech's.

        Live CMN adapts to whatever it hears; after seconds of a vacuum cleaner, the next
        command would be decoded through a noise-shaped channel estimate.
        """
        self.reset()
        self.decoder.set_cmn(self._good_cmn)

    def keep_channel(self) -> None:
        """The last utterance was real speech: its channel estimate is the one to keep."""
        self._good_cmn = self.decoder.get_cmn()

    def channel(self) -> Any:
        """The current channel estimate (cepstral mean), to put back with ``set_channel``."""
        return self.decoder.get_cmn()

    def set_channel(self, channel: Any) -> None:
        self.decoder.set_cmn(channel)

    def set_grammar(self, phrases: list[str] | None) -> None:
        """Restrict recognition to these phrases (e.g. yes/no); None returns to the LM."""
        self.reset()
        if phrases is None:
            self.decoder.activate_search(self._lm_search)
            return
        for p in phrases:
            for w in p.lower().split():
                if self.decoder.lookup_word(w) is None:
                    raise ModelError(f"grammar word '{w}' is not in the pocketsphinx dictionary")
        self.decoder.add_jsgf_string(GRAMMAR_SEARCH, jsgf(phrases))
        self.decoder.activate_search(GRAMMAR_SEARCH)
