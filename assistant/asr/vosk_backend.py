"""Vosk (Kaldi): any vosk model folder, any language, optional runtime phrase grammar.

A vosk Model is large (hundreds of MB for some languages) and read-only once loaded, so it is
loaded once per folder and shared by every recognizer in the process.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from assistant.about import About, package_version
from assistant.asr.transcript import clean_text, clean_word, softmax_first, transcript
from assistant.asr.vocabulary import Vocabulary
from assistant.audio.base import SAMPLE_RATE
from assistant.config import AsrConfig
from assistant.errors import ModelError
from assistant.events import Transcript, Word

DEFAULT_MODEL = "vosk-model-small-en-us-0.15"

def from_config(cfg: AsrConfig, vocabulary: Vocabulary) -> VoskRecognizer:
    """The ``asr.vosk_model`` (its own vocabulary: a vosk graph is fixed when it is built)."""
    from assistant.models.registry import folder_or_model

    folder = folder_or_model(cfg.vosk_model, DEFAULT_MODEL)
    return VoskRecognizer(load_model(folder), about=About(folder.name, package_version("vosk"),
                                                          "Alpha Cephei (vosk)",
                                                          "https://alphacephei.com/vosk"))


_MODELS: dict[Path, Any] = {}
_LOCK = threading.Lock()


def load_model(folder: str | Path) -> Any:
    """The vosk Model in ``folder``, loaded at most once per process."""
    path = Path(folder).resolve()
    with _LOCK:
        if path in _MODELS:
            return _MODELS[path]
        if not path.is_dir():
            raise ModelError(f"vosk model folder {path} does not exist")
        if not (path / "am").is_dir() and not (path / "final.mdl").exists():
            raise ModelError(f"{path} is not a vosk model (no am/ folder)")
        import vosk

        vosk.SetLogLevel(-1)
        try:
            model = vosk.Model(str(path))
        except Exception as e:  # vosk raises a bare Exception on failure
            raise ModelError(f"vosk could not load the model in {path}: {e}") from None
        _MODELS[path] = model
        return model


def _grammar_json(phrases: list[str]) -> str:
    # ensure_ascii=False: vosk does not decode \\u escapes, so "불" would become unknown.
    return json.dumps([" ".join(p.split()) for p in phrases if p.strip()], ensure_ascii=False)


def _words(items: list[dict[str, Any]], offset: float) -> list[Word]:
    out = []
    for it in items:
        w = clean_word(str(it.get("word", "")))
        if w is not None:
            out.append(Word(w, float(it["start"]) - offset, float(it["end"]) - offset,
                            float(it.get("conf", 1.0))))
    return out


class VoskRecognizer:
    """The ``Recognizer`` protocol over a ``KaldiRecognizer`` (words, timings, confidences).

    Vosk endpoints by itself: when ``accept`` returns True a segment is complete; segments are
    kept and joined in ``final`` so the caller sees one utterance.
    """

    name = "vosk"

    def __init__(self, model: Any, grammar: list[str] | None = None, alternatives: int = 0,
                 about: About | None = None) -> None:
        import vosk

        self.model = model
        self.about = about or About("vosk", package_version("vosk"), "Alpha Cephei (vosk)")
        self.alternatives = alternatives
        try:
            if grammar:
                self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE, _grammar_json(grammar))
            else:
                self._rec = vosk.KaldiRecognizer(model, SAMPLE_RATE)
        except Exception as e:
            raise ModelError(f"vosk could not start a recognizer: {e}") from None
        self._rec.SetWords(True)
        if alternatives:
            self._rec.SetMaxAlternatives(alternatives)
        self._segments: list[dict[str, Any]] = []
        self._samples = 0
        self._offset = 0.0  # vosk's clock keeps running across utterances; ours restarts
        self._fed = False  # audio accepted since the last final()

    def accept(self, chunk: np.ndarray) -> bool:
        self._samples += len(chunk)
        self._fed = True
        ended = bool(self._rec.AcceptWaveform(np.asarray(chunk, dtype=np.int16).tobytes()))
        if ended:
            self._segments.append(json.loads(self._rec.Result()))
        return ended

    @staticmethod
    def _best(result: dict[str, Any]) -> dict[str, Any]:
        alts = result.get("alternatives")
        return alts[0] if alts else result

    def partial(self) -> str:
        done = [clean_text(self._best(s).get("text", "")) for s in self._segments]
        current = clean_text(json.loads(self._rec.PartialResult()).get("partial", ""))
        return " ".join(t for t in [*done, current] if t)

    def final(self) -> Transcript:
        segments = [*self._segments, json.loads(self._rec.FinalResult())]
        words: list[Word] = []
        alternatives: list[str] = []
        shares: list[float] = []
        for seg in segments:
            best = self._best(seg)
            words += _words(best.get("result", []), self._offset)
            if seg.get("alternatives"):
                alts = seg["alternatives"]
                shares.append(softmax_first([float(a.get("confidence", 0.0)) for a in alts]))
                alternatives += [clean_text(a.get("text", "")) for a in alts[1:]]
        confidence = min(shares) if shares else None
        self._restart()
        result = transcript(words, alternatives, confidence)
        result.source = "open"
        return result

    def _restart(self) -> None:
        self._segments = []
        self._fed = False
        self._offset = self._samples / SAMPLE_RATE

    def reset(self) -> None:
        # FinalResult (discarded) rather than Reset(): Reset() rewinds vosk's clock by the
        # unfinished audio, which would skew the next utterance's word times.
        if self._fed:
            self._rec.FinalResult()
        self._restart()

    def set_grammar(self, phrases: list[str] | None) -> None:
        """Restrict recognition to these phrases (models with a runtime graph); None = free."""
        self.reset()
        self._rec.SetGrammar(_grammar_json(phrases) if phrases else "[]")
