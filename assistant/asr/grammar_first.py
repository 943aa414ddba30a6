"""Grammar-first recognition: the command grammar and the open language model hear the same
audio; a free phone loop says how good each of their paths really is.

A grammar maps any audio onto its nearest sentence, and an n-gram model of commands wanders
into command-like words on speech that is no command. Against both, a phone loop (any phones in
any order) is the best path the acoustic model finds at all: a hypothesis whose acoustic score
per frame of speech stays close to the phone loop's is what was said; one far below was forced.

Two logistic models, fitted on calibration speech apart from every test set
(``benchmarks/calibrate_grammar.py`` prints the weights below), read that evidence:

* P(the grammar's sentence is right): taken when at least ``asr.grammar_threshold``;
* P(the open transcript is right): the open transcript's confidence. The understanding is never
  surer than its words (``understanding/hearing.py``), and the dialogue asks "did you mean ...?"
  below ``understanding.confirm_below`` instead of acting, so garbled speech does not add to a
  list.

All three searches run on every block (streaming), so ``final`` costs no second pass, and the
loop's partials and early end of turn work as before.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.asr.sphinx_backend import BestPath, SphinxRecognizer
from assistant.events import Transcript

GAP_CAP = 100.0  # a gap beyond this (or no path at all) says the same: not what was said
# fitted by benchmarks/calibrate_grammar.py (features: see ``features``)
GRAMMAR_WEIGHTS = (3.5666, -1.2387, 0.0437, 3.594, 2.1714, -1.1883, 1.3556, 0.541, -3.2823)
OPEN_WEIGHTS = (-5.3869, 0.1103, -0.0661, 3.2004, 2.5827, 0.0312, 2.95, -1.3826, 1.2181)


@dataclass
class Evidence:
    """The three paths of one utterance; gaps are per frame of speech (the phone loop's
    frames that are not silence), so the silence around a short command does not dilute them."""

    frames: int
    speech_frames: int
    grammar: BestPath | None  # None: no grammar sentence fits at all
    open: BestPath | None
    free: BestPath | None
    open_posterior: float = 0.0  # the open transcript's mean word posterior (its lattice)

    def gap(self, path: BestPath | None) -> float:
        if path is None or self.free is None:
            return math.inf
        return (self.free.score - path.score) / max(1, self.speech_frames)

    @property
    def grammar_gap(self) -> float:
        """How far the grammar's path falls below the phone loop's, per frame of speech."""
        return self.gap(self.grammar)

    @property
    def open_gap(self) -> float:
        return self.gap(self.open)

    @property
    def agree(self) -> bool:
        return self.grammar is not None and self.open is not None \
            and self.grammar.words == self.open.words

    def coverage(self, path: BestPath | None) -> float:
        """Share of the speech that the path's words take: a grammar path that calls most of
        a paragraph silence around one short command has fitted nothing."""
        if path is None or not self.speech_frames:
            return 0.0
        return min(1.0, path.word_frames / self.speech_frames)

    def features(self) -> np.ndarray:
        """Bias, the grammar's and the open path's gaps (capped, /10), whether the grammar
        found a sentence, whether both searches heard the same words, seconds of speech, the
        open transcript's word posteriors, the share of speech each path's words cover."""
        return np.array([1.0, min(self.grammar_gap, GAP_CAP) / 10, min(self.open_gap, GAP_CAP) / 10,
                         float(self.grammar is not None), float(self.agree),
                         self.speech_frames / 100, self.open_posterior,
                         self.coverage(self.grammar), self.coverage(self.open)])

    def p_grammar(self, weights: tuple[float, ...] = GRAMMAR_WEIGHTS) -> float:
        return _logistic(self.features() @ np.asarray(weights))

    def p_open(self, weights: tuple[float, ...] = OPEN_WEIGHTS) -> float:
        return _logistic(self.features() @ np.asarray(weights))


def _logistic(z: float) -> float:
    return float(1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z)))))


class GrammarFirstRecognizer:
    """The ``Recognizer`` protocol over three pocketsphinx searches of the same audio."""

    def __init__(self, grammar: SphinxRecognizer, open_: SphinxRecognizer,
                 free: SphinxRecognizer, threshold: float = 0.5) -> None:
        self.grammar = grammar
        self.open = open_
        self.free = free
        self.threshold = threshold
        self.name = "pocketsphinx-grammar"
        self.about = open_.about
        self._parts = (grammar, open_, free)
        self._restricted = False  # set_grammar: only the given phrases
        self.evidence: Evidence | None = None  # of the last final()
        self.heard: tuple[Transcript, Transcript] | None = None  # (grammar, open) of it

    def accept(self, chunk: np.ndarray) -> bool:
        chunk = np.asarray(chunk, dtype=np.int16)
        for part in self._parts:
            part.accept(chunk)
        return False

    def partial(self) -> str:
        """The open model's words so far: the early end of turn needs only a complete command,
        and mid-utterance the grammar's best path is not yet evidence of anything (its sentence
        is weighed against the phone loop once the utterance is over)."""
        return self.open.partial()

    def final(self) -> Transcript:
        if self._restricted:
            self.grammar.reset()
            self.free.reset()
            return self.open.final()
        heard_g = self.grammar.final()
        heard_o = self.open.final()
        # ending the phone loop's utterance is all it needs: its best path is the measure
        free = self.free.best_path() if self.free.end() else None
        ev = Evidence(self.free.frames, self.free.speech_frames() if free else 0,
                      self.grammar.best_path() if heard_g.text else None,
                      self.open.best_path(lattice=True) if heard_o.text else None, free,
                      heard_o.confidence if heard_o.text else 0.0)
        self.evidence = ev
        self.heard = (copy.copy(heard_g), copy.copy(heard_o))
        if heard_g.text and ev.p_grammar() >= self.threshold:
            heard_g.confidence = 1.0
            return heard_g
        if heard_o.text:
            heard_o.confidence = min(heard_o.confidence, ev.p_open())
            heard_o.calibrated = True
        return heard_o

    def reset(self) -> None:
        for part in self._parts:
            part.reset()

    def forget_noise(self) -> None:
        for part in self._parts:
            part.forget_noise()

    def keep_channel(self) -> None:
        for part in self._parts:
            part.keep_channel()

    def channel(self) -> tuple[Any, ...]:
        """Each search's channel estimate (they hear the same audio, but adapt apart)."""
        return tuple(part.channel() for part in self._parts)

    def set_channel(self, channel: tuple[Any, ...]) -> None:
        for part, c in zip(self._parts, channel, strict=True):
            part.set_channel(c)

    def set_grammar(self, phrases: list[str] | None) -> None:
        """Only these phrases (a yes/no question): the open search decodes against them and
        its result is the answer; None returns to grammar first."""
        self.open.set_grammar(phrases)
        self._restricted = phrases is not None
