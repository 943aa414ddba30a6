"""Steering a free recognizer by the household's commands: snap what it wrote onto the command
grammar, let the acoustic model score the proposals, and take a grammar sentence only when a
calibrated model says it fits better than what was written.

The free transcript (and its n-best) propose grammar sentences (``snap.py``); the recognizer
scores each proposal and the free transcript itself on the same audio (``score``: the sum of
token log-probabilities, and the end of text's own). Three logistic models, fitted on
calibration speech apart from every test set (``benchmarks/calibrate_whisper.py`` prints the
weights below), read the evidence:

* P(a proposal is what was said), fitted on every proposal: ranks them;
* P(the likeliest proposal is what was said), fitted on the likeliest only (most proposals are
  far-fetched; fitted on all of them, the chance reads low for the likeliest too): taken at
  ``threshold``; from ``offer`` up to it, when it is a command sentence with no free text
  that Whisper did not write itself, *offered* (source "offered"): the sentence with the
  chance ``offer``, which bounds the understanding, so the dialogue asks "did you mean ...?"
  about it and does not act on it. (A free-text slot takes any words: offered, "where is
  {thing}" turned clearly heard questions such as "what is the speed of light" into "did you
  mean where is the speed of light?".)
* P(the free transcript is what was said): its confidence otherwise. The understanding is never
  surer than its words (``understanding/hearing.py``) and the dialogue asks before acting on a
  weakly heard command, so speech that is no command does not act.

Engine-neutral: the recognizer gives texts and a scoring function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from assistant.asr.automaton import Dfa
from assistant.asr.snap import Snapped, distance, snap

# fitted by benchmarks/calibrate_whisper.py (``Evidence.features`` rank, ``Evidence.decision``
# decides)
RANK_WEIGHTS = (3.346, 0.2173, -0.233, -0.3879, 1.4369, 1.0681, -0.5147, -4.1939, 1.4007, 1.2669)
GRAMMAR_WEIGHTS = (10.657, -1.2085, -0.1243, -0.9757, -0.3188, 2.8417, -2.9603, -8.3927, 6.9518,
                   4.6249, 0.2313, -2.2574, 1.8545)
OPEN_WEIGHTS = (-0.5287, 0.2963, -0.2709, 2.5115, 1.9001, -0.618, 0.9484, 0.0752, -0.2268, -0.5163,
                -0.0141, 0.2291, -1.1186)
PROPOSALS = 4  # grammar sentences scored per utterance
# Whisper's mean token log-probability from which a command sentence it wrote is not searched
# for along the grammar: on the calibration set steering kept each of the 41 command sentences
# Whisper wrote, whatever the search found (benchmarks/calibrate_whisper.py at 01bdf64); from
# -0.5 the 8 it was least sure of are still searched for
SURE = -0.5


@dataclass(frozen=True)
class Evidence:
    """What the decision reads: a proposal's log-probability relative to the free transcript's
    (``gap``), its edit cost, and how sure Whisper was of its own words.
    (Whisper's no-speech probability is recorded for the calibration script but not read: on the
    calibration set it stood for "a short utterance", not for noise, and taught the model to
    trust noise.)"""

    gap: float  # log P(proposal) - log P(free transcript); -inf: no proposal
    words: int  # words of the proposal
    cost: float  # edit cost of the proposal (0: the free transcript is a grammar sentence)
    avg_logprob: float  # the free decode's mean token log-probability
    no_speech: float  # Whisper's no-speech probability
    exact: bool = False  # the proposal is what Whisper wrote (a wildcard took its words as heard)
    logprob: float = -math.inf  # log P(proposal) itself: how well it fits the audio at all
    margin: float = 0.0  # log P(proposal) - log P(the likeliest other proposal), within +-10
    heard: int = 0  # words of the free transcript
    free_text: bool = False  # a wildcard of the proposal took words (a reminder's text...)
    end: float = 0.0  # log P(the speech ends where the proposal does)

    def features(self) -> tuple[float, ...]:
        """What ranks proposals. No proposal at all reads as a proposal far away (gap -30,
        cost 4, 5 nats a word). ``shorter``, the share of what was written that a proposal
        leaves out, apart from the edit cost: a sum of log-probabilities favours a short
        sentence, and a pause made "what is the weather" outscore "what is the weather in paris
        tomorrow" when the words after it were heard clearly; and Whisper's own belief that the
        speech ends where the proposal does (about -7 for "what is the time" said before "zone
        for houston", -1.5 for a whole sentence). Free text, and free text as far as Whisper was
        sure of its words: a wildcard takes whatever was misheard ("where is the next film" for
        "when is the next full moon"), so it is right when it was heard well."""
        gap = max(self.gap, -30.0)
        fit = max(self.logprob / (self.words + 1), -5.0) if self.words else -5.0
        shorter = max(0, self.heard - self.words) / self.heard if self.heard else 0.0
        end = max(self.end, -10.0) / 5.0 if self.words else -2.0
        free = float(self.free_text)
        return (1.0, gap / 5.0, min(self.cost, 4.0), self.avg_logprob, float(self.exact), fit,
                shorter, free, free * math.exp(self.avg_logprob), end)

    def decision(self) -> tuple[float, ...]:
        """What decides between the likeliest proposal and the free transcript: the ranking's
        evidence, how far ahead of the other proposals it is, how long it is, and the gap again
        as far as Whisper was sure of its own words (a question heard clearly is not "where is
        the capital of friends" however well that fits)."""
        gap = max(self.gap, -30.0) / 5.0
        return (*self.features(), self.margin / 5.0, min(self.words, 12) / 6.0,
                gap * math.exp(self.avg_logprob))


NOTHING_NEAR = Evidence(-math.inf, 0, math.inf, 0.0, 0.0)


@dataclass(frozen=True)
class Choice:
    """The words taken, where they come from ("grammar", "offered" or "open") and how sure we
    are; the free transcript, the evidence the decision read (the likeliest proposal's) and
    every proposal weighed with its own, the likeliest first."""

    text: str
    source: str
    confidence: float
    free: str
    evidence: Evidence
    proposals: tuple[tuple[str, Evidence], ...]


def probability(weights: Sequence[float], features: Sequence[float]) -> float:
    z = sum(w * f for w, f in zip(weights, features, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


class Steering:
    """The command grammar as a judge of a free transcript (see the module docstring)."""

    def __init__(self, grammar: Dfa, threshold: float = 0.5, offer: float = 0.4,
                 proposals: int = PROPOSALS,
                 grammar_weights: Sequence[float] = GRAMMAR_WEIGHTS,
                 open_weights: Sequence[float] = OPEN_WEIGHTS,
                 rank_weights: Sequence[float] = RANK_WEIGHTS) -> None:
        self.grammar = grammar
        self.threshold = threshold
        self.offer = offer
        self.proposals = proposals
        self.rank_weights = tuple(rank_weights)
        self.grammar_weights = tuple(grammar_weights)
        self.open_weights = tuple(open_weights)

    def offerable(self, text: str, free: str) -> bool:
        """A proposal may be offered: a command sentence with no free text (the grammar holds
        it without a wildcard) that is not what was written."""
        return text != free and self.grammar.accepts(text.split())

    def wrote_command(self, free: str, avg_logprob: float) -> bool:
        """Whisper wrote ``free``, a command sentence with no free text, and was sure of its
        words: another decode along the grammar would find that sentence again, so only the
        sentences near it are weighed."""
        return avg_logprob >= SURE and self.grammar.accepts(free.split())

    def near(self, texts: Sequence[str]) -> list[Snapped]:
        """Distinct grammar sentences near any of the free decode's texts, nearest first."""
        best: dict[str, Snapped] = {}
        for text in texts:
            for s in snap(self.grammar, text.split(), self.proposals):
                if s.text not in best or s.cost < best[s.text].cost:
                    best[s.text] = s
        return sorted(best.values(), key=lambda s: s.cost)[:self.proposals]

    def propose(self, texts: Sequence[str], followed: Sequence[str] = (),
                near: list[Snapped] | None = None) -> list[Snapped]:
        """``near`` (the sentences near ``texts``, found here unless given), then those found
        by decoding along the grammar (``followed``, likeliest first), at their edit cost from
        the free transcript ``texts[0]``."""
        near = self.near(texts) if near is None else near
        heard = texts[0].split() if texts else []
        return near + [Snapped(tuple(t.split()), distance(heard, t.split()))
                       for t in dict.fromkeys(followed) if t not in {s.text for s in near}]

    def choose(self, free: str, alternatives: Sequence[str], avg_logprob: float, no_speech: float,
               score: Callable[[list[str]], Sequence[tuple[float, float]]],
               followed: Sequence[str] = (), near: list[Snapped] | None = None) -> Choice:
        """The grammar sentence or the free transcript ``free`` (spoken form), with its
        calibrated confidence. ``score``: each text's log-probability on the audio and its end
        of text's own; ``alternatives``: the free decode's other hypotheses;
        ``followed``: sentences the recognizer found decoding along the grammar; ``near``:
        ``self.near([free, *alternatives])`` if already found."""
        snapped = self.propose([free, *alternatives], followed, near)
        if not snapped:
            ev = replace(NOTHING_NEAR, avg_logprob=avg_logprob, no_speech=no_speech)
            return Choice(free, "open", probability(self.open_weights, ev.decision()), free, ev, ())
        (heard, _), *scored = score([free, *(p.text for p in snapped)])
        own = [s for s, _ in scored]
        written = len(free.split())
        weighed = sorted(
            ((p.text, Evidence(s - heard, len(p.words), p.cost, avg_logprob, no_speech,
                               p.text == free, s, _margin(own, i), written,
                               not self.grammar.accepts(list(p.words)), end))
             for i, (p, (s, end)) in enumerate(zip(snapped, scored, strict=True))),
            key=lambda x: -probability(self.rank_weights, x[1].features()))
        proposals = tuple(weighed)
        text, ev = proposals[0]
        p = probability(self.grammar_weights, ev.decision())
        if p >= self.threshold:
            return Choice(text, "grammar", p, free, ev, proposals)
        if p >= self.offer and self.offerable(text, free):
            return Choice(text, "offered", min(p, self.offer), free, ev, proposals)
        return Choice(free, "open", probability(self.open_weights, ev.decision()), free, ev,
                      proposals)


def _margin(scores: Sequence[float], i: int) -> float:
    """How much likelier proposal ``i`` is than the likeliest of the others (+-10 at most)."""
    others = [s for j, s in enumerate(scores) if j != i]
    return max(-10.0, min(10.0, scores[i] - max(others))) if others else 10.0
