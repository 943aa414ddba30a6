"""Load every engine of the loop once, each with its fallback, and say what was loaded.

A missing or corrupt model never stops Hearth: the NLU model falls back to the keyword matcher,
the piper voice to espeak-ng, the generative model to "I don't know that offline". What happened
is logged in one line each; ``describe`` tells ``assistant status`` which engine fills each role.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from assistant.asr.base import Recognizer
from assistant.config import Config, WakeMode
from assistant.errors import HearthError
from assistant.store import Store
from assistant.tts.base import Synthesizer
from assistant.understanding.base import Understander
from assistant.wake.base import WakeDetector

if TYPE_CHECKING:  # each engine's module is imported by ``build`` only when it is used
    from assistant.asr.vocabulary import Vocabulary
    from assistant.dialogue.manager import DialogueManager
    from assistant.generation.on_demand import OnDemand
    from assistant.history.store import HistoryRecorder
    from assistant.sentences.load import SentenceSet

log = logging.getLogger(__name__)


@dataclass
class Components:
    cfg: Config
    understander: Understander
    dialogue: DialogueManager
    synth: Synthesizer
    mode: WakeMode = "wake_word"  # what starts a turn, decided once (a wake word only here)
    recognizer: Recognizer | None = None
    wake: WakeDetector | None = None
    barge_in: WakeDetector | None = None  # a "stop" spotter that cuts a playing reply
    history: HistoryRecorder | None = None
    generator: OnDemand | None = None
    store: Store | None = None
    chime: np.ndarray | None = None
    vocabulary: Vocabulary | None = None  # what the recognizer was built for (more are alike)
    sentences: SentenceSet | None = None  # the templates every stage read

    def describe(self) -> dict[str, str]:
        """Which engine and model fill each role (for status and ``--json``)."""
        u = self.understander
        return {
            "asr": self.recognizer.name if self.recognizer is not None else "none",
            "wake": (f"{self.wake.name} ({', '.join(self.wake.words)})"
                     if self.wake is not None else "off"),
            "understanding": f"{u.name} {u.version}",
            "tts": self.synth.name,
            "generation": self.cfg.generation.model if self.generator is not None else "off",
        }


def _generator(cfg: Config) -> OnDemand | None:
    """The generative model, loaded by the first open question unless it is to be kept; a
    model not installed is found here, one that will not load by that question."""
    if not cfg.generation.enabled:
        return None
    try:
        from assistant.generation.generator import Generator
        from assistant.generation.on_demand import OnDemand
        from assistant.models.registry import locate

        folder = locate(cfg.generation.model)
        return OnDemand(lambda: Generator(folder, cfg.generation), cfg.generation.unload_after_s)
    except HearthError as e:
        log.warning("generative model off: %s", e)
        return None


def make_dialogue(cfg: Config, store: Store, generator: OnDemand | None,
                  sentences: SentenceSet | None) -> DialogueManager:
    """A conversation over the shared store (one per Wyoming connection; the loop has one)."""
    from assistant.dialogue.manager import DialogueManager
    from assistant.skills.registry import builtin_skills

    return DialogueManager(
        store,
        generate=generator.sentences if generator is not None else None,
        confirm_below=cfg.understanding.confirm_below,
        skills=builtin_skills(sentences),
    )


def build(cfg: Config, *, audio_in: bool = True, live: bool = False,
          store: Store | None = None, mode: WakeMode | None = None) -> Components:
    """Everything the loop needs; ``audio_in=False`` skips ASR and wake word (text-only use),
    ``live`` adds the "stop" spotter that only a playing reply on a live microphone needs;
    ``mode`` (default ``wake.mode``) says what starts a turn, and so whether a wake word
    detector is loaded at all."""
    from assistant.history.store import HistoryRecorder
    from assistant.household.understander import live_understander
    from assistant.pipeline.chime import chime
    from assistant.sentences.load import load as load_sentences
    from assistant.tts.factory import make_synthesizer

    mode = mode or cfg.wake.mode
    store = store or Store()
    sentences = load_sentences()  # built-in and custom intents, read once for every stage
    understander, household = live_understander(cfg.understanding, sentences)
    generator = _generator(cfg)
    dialogue = make_dialogue(cfg, store, generator, sentences)
    synth = make_synthesizer(cfg.tts)
    history = HistoryRecorder(store, cfg.history) if cfg.history.enabled else None
    recognizer = wake = barge_in = vocabulary = None
    if audio_in:
        from assistant.asr.factory import make_recognizer
        from assistant.household.vocabulary import vocabulary as household_vocabulary
        from assistant.wake.factory import make_detector, make_stop_spotter

        vocabulary = household_vocabulary(cfg, sentences, household)
        recognizer = make_recognizer(cfg.asr, vocabulary)
        if mode == "wake_word":
            wake = make_detector(cfg.wake)
        if live:
            barge_in = make_stop_spotter(cfg.wake)
    return Components(cfg, understander, dialogue, synth, mode, recognizer, wake, barge_in,
                      history, generator, store, chime(), vocabulary, sentences)
