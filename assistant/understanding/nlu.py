"""The NLU model at run time: MiniLM encoder + ONNX heads -> intent, slots, out-of-scope.

One encoder pass per utterance feeds both the intent heads (pooled vector + n-grams) and the
slot heads (per-word vectors + word n-grams); ``decode.py`` turns probabilities into the
decision exactly as evaluation did. ``make_understander`` is what the loop calls: when the model
can't load it logs one line and returns the keyword matcher, so the assistant keeps working.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.config import UnderstandingConfig
from assistant.errors import ConfigError, ModelError
from assistant.events import Slot, Understanding
from assistant.onnx_session import open_session
from assistant.understanding import decode, ngrams
from assistant.understanding.base import Understander
from assistant.understanding.encoder import Encoder
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.modelfiles import FILES, ModelSpec
from assistant.understanding.tagging import window_features
from assistant.understanding.text import split_words

log = logging.getLogger(__name__)

MAX_WORDS = 64  # longer input is cut: nobody speaks a 65-word command


class NluUnderstander:
    """Understander backed by the ONNX heads in ``model_dir`` (see MODEL_CARD.md there)."""

    name = "nlu"

    def __init__(self, model_dir: Path, encoder: Encoder | None = None, threads: int = 1) -> None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelError(f"NLU model folder missing: {model_dir}")
        self.spec = ModelSpec.read(model_dir)
        self.model_dir = model_dir
        self.sessions = {k: open_session(model_dir / FILES[k], threads)
                         for k in ("intent", "intent_lex", "slots", "slots_lex")}
        self._check_shapes()
        self.encoder = encoder or Encoder(threads=threads)
        self.rules = KeywordUnderstander()
        name = model_dir.name  # personalized versions live in numbered folders
        heads = f"personalized v{int(name)}" if name.isdigit() else name
        self.version = f"{heads} on {self.encoder.model_path.parent.name}"

    def _check_shapes(self) -> None:
        """A head built for other labels must fail at load, not mid-conversation."""
        for key, labels in (("intent", self.spec.intent_labels), ("intent_lex", self.spec.intent_labels),
                            ("slots", self.spec.tag_labels), ("slots_lex", self.spec.tag_labels)):
            shape = self.sessions[key].get_outputs()[0].shape
            if shape[-1] != len(labels):
                raise ModelError(f"{FILES[key]} has {shape[-1]} outputs but nlu.json lists {len(labels)} labels")

    def parse(self, text: str) -> Understanding:
        """Intent, confidence, top-3 alternatives and slots; odd input -> out_of_scope."""
        text = text if isinstance(text, str) else ""
        words = split_words(text)
        if not words.words:
            return Understanding(text=text, intent=OUT_OF_SCOPE, confidence=1.0, in_scope=False,
                                 source=self.name)
        try:
            return self._parse(text, words.words[:MAX_WORDS])
        except Exception as e:  # never let one utterance take the loop down
            log.warning("NLU failed on %r: %s", text[:80], str(e).splitlines()[0] if str(e) else e)
            return Understanding(text=text, intent=OUT_OF_SCOPE, confidence=0.0, in_scope=False,
                                 source=self.name)

    def _parse(self, text: str, words: tuple[str, ...]) -> Understanding:
        enc = self.encoder.encode([words])[0]
        (p_dense,) = self.sessions["intent"].run(None, {"x": enc.pooled[None, :]})
        ids, tf = ngrams.padded_inputs([ngrams.sentence_ngrams(words)], self.spec.intent_buckets)
        (lex_logits,) = self.sessions["intent_lex"].run(None, {"ids": ids, "tf": tf})
        probs = decode.combine(p_dense, lex_logits, self.spec.lex_weight)[0]
        intent, confidence, alternatives = decode.decide(probs, self.spec.intent_labels, self.spec.threshold)
        in_scope = intent != OUT_OF_SCOPE
        slots = self._slots(words, enc.words, intent) if in_scope and INTENTS[intent][0] else []
        return Understanding(text=text, intent=intent, confidence=confidence, slots=slots,
                             alternatives=alternatives, in_scope=in_scope, source=self.name)

    def _slots(self, words: tuple[str, ...], states: np.ndarray, intent: str) -> list[Slot]:
        (p_dense,) = self.sessions["slots"].run(None, {"x": window_features(states)})
        rows = [ngrams.token_ngrams(words, i) for i in range(len(words))]
        ids, tf = ngrams.padded_inputs(rows, self.spec.tag_buckets)
        (lex_logits,) = self.sessions["slots_lex"].run(None, {"ids": ids, "tf": tf})
        logp = np.log(np.maximum(decode.combine(p_dense, lex_logits, self.spec.tag_lex_weight), 1e-12))
        found = decode.decode_tags(logp, self.spec.tag_labels, self.spec.transitions, INTENTS[intent][0],
                                   self.spec.transition_weight, words=words)
        found = decode.rule_slots(self.rules, words, intent, found)
        return [replace(f, confidence=round(f.confidence, 4)) for f in found]


def make_understander(cfg: UnderstandingConfig, model_dir: Path) -> Understander:
    """The configured understander on ``model_dir``; a model that can't load falls back to the
    keyword matcher (logged in one line)."""
    if cfg.engine == "keywords":
        return KeywordUnderstander()
    if cfg.engine != "nlu":
        raise ConfigError(f"understanding.engine must be 'nlu' or 'keywords', got '{cfg.engine}'")
    try:
        return NluUnderstander(model_dir)
    except ModelError as e:
        log.warning("NLU model unavailable (%s); using the keyword matcher", e)
        return KeywordUnderstander()
