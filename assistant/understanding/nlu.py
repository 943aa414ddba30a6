"""The NLU model at run time: one fine-tuned MiniLM graph -> intent, slots, out-of-scope.

One onnxruntime pass per utterance gives the intent probabilities and every word's tag
log-probabilities (see MODEL_CARD.md in the model folder); ``decode.py`` turns them into the
decision exactly as evaluation did, because evaluation runs this same class on whole test sets
(:meth:`NluUnderstander.parse_many`). ``factory.make_understander`` is what the loop calls:
when the model can't load it logs one line and returns the keyword matcher, so the assistant
keeps working.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.errors import ModelError
from assistant.events import Understanding
from assistant.onnx_session import open_session
from assistant.understanding import decode
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.understanding.keywords import KeywordUnderstander
from assistant.understanding.modelfiles import FILES, ModelSpec
from assistant.understanding.text import split_words
from assistant.understanding.wordpieces import Inputs, WordPieces

log = logging.getLogger(__name__)

MAX_WORDS = 64  # longer input is cut: nobody speaks a 65-word command
BATCH = 64


class NluModel:
    """The graph of a model folder and its tokenizer: words -> probabilities."""

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        model_dir = Path(model_dir)
        if not model_dir.is_dir():
            raise ModelError(f"NLU model folder missing: {model_dir}")
        self.spec = ModelSpec.read(model_dir)
        self.model_dir = model_dir
        self.wordpieces = WordPieces(model_dir / FILES["tokenizer"])
        # no spinning: with more than one thread (evaluation, the nightly job) the cores are
        # shared with other work; with one thread there is no worker to spin
        self.session = open_session(model_dir / FILES["model"], threads, spin=False)
        outs = {o.name: o.shape[-1] for o in self.session.get_outputs()}
        for name, labels in (("intent_probs", self.spec.intent_labels), ("tag_logp", self.spec.tag_labels)):
            if outs.get(name) != len(labels):  # a graph built for other labels fails at load
                raise ModelError(f"{FILES['model']} output {name} has {outs.get(name)} values "
                                 f"but nlu.json lists {len(labels)} labels")

    def run(self, utterances: Sequence[Sequence[str]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Intent probabilities [N, C] and per-utterance tag log-probs [n_words, L] for
        non-empty word lists (batched by length, so little padding is computed)."""
        probs = np.zeros((len(utterances), len(self.spec.intent_labels)), np.float32)
        logp: list[np.ndarray] = [np.zeros((0, 0), np.float32)] * len(utterances)
        for idx, inputs in self.batches(utterances):
            p, t = self.session.run(["intent_probs", "tag_logp"], inputs.feed())
            for j, i in enumerate(idx):
                probs[i] = p[j]
                logp[i] = t[j, :inputs.n_words[j]]
        return probs, logp

    def batches(self, utterances: Sequence[Sequence[str]]) -> Iterator[tuple[list[int], Inputs]]:
        """The utterances' positions and the graph's inputs, batched by length, so little
        padding is computed."""
        order = sorted(range(len(utterances)), key=lambda i: len(utterances[i]))
        for s in range(0, len(order), BATCH):
            idx = order[s:s + BATCH]
            yield idx, self.wordpieces.batch([utterances[i] for i in idx])


class NluUnderstander:
    """Understander backed by the fine-tuned model in ``model_dir``."""

    name = "nlu"

    def __init__(self, model_dir: Path, threads: int = 1) -> None:
        self.model = NluModel(model_dir, threads)
        self.spec = self.model.spec
        self.model_dir = self.model.model_dir
        self.rules = KeywordUnderstander()
        name = self.model_dir.name  # personalized versions live in numbered folders
        self.version = f"personalized v{int(name)}" if name.isdigit() else name

    def parse(self, text: str) -> Understanding:
        """Intent, confidence, top-3 alternatives and slots; odd input -> out_of_scope."""
        text = text if isinstance(text, str) else ""
        words = split_words(text).words[:MAX_WORDS]
        if not words:
            return Understanding(text=text, intent=OUT_OF_SCOPE, confidence=1.0, in_scope=False,
                                 source=self.name)
        try:
            return self.parse_many([words], [text])[0]
        except Exception as e:  # never let one utterance take the loop down
            log.warning("NLU failed on %r: %s", text[:80], str(e).splitlines()[0] if str(e) else e)
            return Understanding(text=text, intent=OUT_OF_SCOPE, confidence=0.0, in_scope=False,
                                 source=self.name)

    def parse_many(self, utterances: Sequence[Sequence[str]],
                   texts: Sequence[str] | None = None) -> list[Understanding]:
        """:meth:`parse` for many non-empty word lists at once (evaluation, ``nlu parse``)."""
        probs, logp = self.model.run(utterances)
        out = []
        for i, words in enumerate(utterances):
            intent, confidence, alternatives = decode.decide(probs[i], self.spec.intent_labels,
                                                             self.spec.threshold)
            in_scope = intent != OUT_OF_SCOPE
            slots = []
            if in_scope and INTENTS[intent][0]:
                found = decode.decode_tags(logp[i], self.spec.tag_labels, self.spec.transitions,
                                           INTENTS[intent][0], self.spec.transition_weight, words=words)
                found = decode.rule_slots(self.rules, words, intent, found)
                slots = [replace(f, confidence=round(f.confidence, 4)) for f in found]
            text = texts[i] if texts is not None else " ".join(words)
            out.append(Understanding(text=text, intent=intent, confidence=confidence, slots=slots,
                                     alternatives=alternatives, in_scope=in_scope, source=self.name))
        return out
