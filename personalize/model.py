"""Fine-tuning the NLU heads on household examples, with replay of the base data.

Built on the NLU room's training functions (``assistant.training.train``): the encoder
stays frozen, the heads continue from the live model's weights (``init``), and a fixed sample
of the base training data is mixed in every night so the heads do not forget what everyone
else says. Features come from :class:`personalize.featstore.FeatureStore`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.household.words import Household
from assistant.training import pack
from assistant.training import train as nlu_train
from assistant.training.datasets import Example as NluExample
from assistant.training.metrics import accuracy, span_f1
from assistant.understanding import decode
from assistant.understanding.intents import INTENTS, fold_aux
from assistant.understanding.tagging import spans
from assistant.values.phrases import clean_phrase
from personalize.dataset import Example
from personalize.featstore import FeatureStore

if TYPE_CHECKING:
    from assistant.understanding.nlu import NluUnderstander

# The base subsets (defaults in assistant/understanding/pack.py, which ships them in the model
# folder as base-pack.jsonl.gz for devices without the data sets):
REPLAY = pack.REPLAY  # base training examples replayed each night against forgetting (4000)
VALIDATION = pack.VALIDATION  # base validation examples for the mixing weights (1500)
TEST: int | None = pack.TEST  # base test examples for the promotion gate (None: all ~6900)
USER_COPIES = 6  # copies of a household example seen once (grows with sqrt of its count)
MAX_USER_COPIES = 20
EPOCHS_SCALE = 0.25  # a warm start needs a quarter of the base training epochs
# Shares of the fine-tuned weights to try, the rest from the start heads (blend.py): the job
# promotes the most personalized blend that passes the promotion rule.
BLENDS = (1.0, 0.7, 0.4)
SEED = pack.SEED


@dataclass
class BaseData:
    """Fixed subsets of the base data set: replay and validation (train side), and test."""

    replay: list[NluExample]
    val: list[NluExample]
    test: list[NluExample]
    origin: str = ""  # the data folder, or the base pack they were read from


_BASE: dict[tuple[int, int, int | None], BaseData] = {}


def load_base() -> BaseData:
    """The same seeded subsets every night (so their features stay in the store).

    From the data folder when it is there (``$HEARTH_DATA`` or ``../shared/data``), else from
    the base pack shipped with the model (``models/hearth-nlu/base-pack.jsonl.gz``).
    """
    key = (REPLAY, VALIDATION, TEST)
    if key not in _BASE:
        subsets, origin = pack.load_base_subsets(REPLAY, VALIDATION, TEST, SEED)
        _BASE[key] = BaseData(subsets.train, subsets.val, subsets.test, origin)
    return _BASE[key]


def to_nlu(e: Example, copies: int = 1) -> list[NluExample]:
    """A household example as training examples (BIO tags, or None when slots are unknown)."""
    words = tuple(e.text.split())
    tags: tuple[str, ...] | None = None
    if e.slots is not None:
        t = ["O"] * len(words)
        for name, s, end in e.slots:
            t[s:end] = [f"B-{name}"] + [f"I-{name}"] * (end - s - 1)
        tags = tuple(t)
    ex = NluExample(words, e.intent, tags, source="user", native=e.intent)
    return [ex] * copies


def copies(e: Example) -> int:
    """How often a household example is repeated in training: often-said phrasings weigh more."""
    return min(MAX_USER_COPIES, round(USER_COPIES * math.sqrt(e.count)))


def fine_tune(init: nlu_train.Heads, user: Sequence[Example], base: BaseData,
              store: FeatureStore, progress: bool = True) -> nlu_train.Heads:
    """Continue training ``init`` on household examples plus the replay sample (frozen encoder)."""
    train = list(base.replay) + [x for e in user for x in to_nlu(e, copies(e))]
    f_train = store.features([e.words for e in train], progress)
    f_val = store.features([e.words for e in base.val], progress)
    labels = sorted({e.intent for e in train} | set(init.intent.labels))
    intent = nlu_train.fit_intent(train, base.val, f_train, f_val, labels, init.intent,
                                  EPOCHS_SCALE, progress)
    tagger = nlu_train.fit_tagger(train, base.val, f_train, f_val, init.tagger, EPOCHS_SCALE,
                                  progress)
    meta = {**init.meta, "personalized_with": len(user)}
    # The out-of-scope threshold stays as calibrated on the whole validation set: re-choosing it
    # nightly on the small sample moved base accuracy more than the household data did.
    return nlu_train.Heads(intent, tagger, init.threshold, meta)


def predict_intents(heads: nlu_train.Heads, examples: Sequence[NluExample],
                    store: FeatureStore) -> list[str]:
    """Hearth intents (aux folded, OOS threshold applied) without running the slot tagger."""
    if not examples:
        return []
    feats = store.features([e.words for e in examples])
    probs = heads.intent.proba(feats, examples)
    return decode.decide_all(probs, heads.intent.labels, heads.threshold)


def evaluate(heads: nlu_train.Heads, examples: Sequence[NluExample],
             store: FeatureStore) -> dict[str, float]:
    """Intent accuracy, and slot F1 on the examples that carry tags (restricted like at run time)."""
    if not examples:
        return {"n": 0}
    intents = predict_intents(heads, examples, store)
    gold = [fold_aux(e.intent) for e in examples]
    out = {"n": len(examples), "accuracy": accuracy(gold, intents)}
    tagged = [i for i, e in enumerate(examples) if e.tags is not None]
    if tagged:
        ex = [examples[i] for i in tagged]
        feats = store.features([e.words for e in ex])
        pred = heads.tagger.predict(feats, ex, [INTENTS[intents[i]][0] for i in tagged])
        gold_tags = [decode.restrict_tags(e.tags or (), INTENTS[fold_aux(e.intent)][0]) for e in ex]
        out["slot_f1"] = span_f1(gold_tags, pred)["f1"]
    return {k: round(float(v), 4) for k, v in out.items()}


def household_accuracy(heads: nlu_train.Heads, examples: Sequence[Example], words: Household,
                       store: FeatureStore) -> dict[str, float]:
    """What the household would notice: the intent, and each slot it meant with its value.

    ``accuracy`` counts intents; ``frame_accuracy`` also needs every labelled slot found at
    the right words, meaning what the user meant once household synonyms apply ("den" ->
    "living room"), as :class:`assistant.household.words.HouseholdUnderstander` does at run time.
    """
    if not examples:
        return {"n": 0}
    nlu = [to_nlu(e)[0] for e in examples]
    intents = predict_intents(heads, nlu, store)
    feats = store.features([x.words for x in nlu])
    tags = heads.tagger.predict(feats, nlu, [INTENTS[i][0] for i in intents])
    intent_ok = [i == e.intent for i, e in zip(intents, examples, strict=True)]
    frame_ok = [ok and _slots_right(e, t, words)
                for ok, e, t in zip(intent_ok, examples, tags, strict=True)]
    return {"n": len(examples), "accuracy": round(float(np.mean(intent_ok)), 4),
            "frame_accuracy": round(float(np.mean(frame_ok)), 4)}


def _slots_right(e: Example, tags: Sequence[str], words: Household) -> bool:
    if e.slots is None:
        return True
    found = {(s.name, s.start, s.end) for s in spans(tags)}
    if not set(e.slots) <= found:
        return False
    said = e.text.split()
    for name, s, end in e.slots:
        meant = e.values.get(name)
        if meant is not None and words.resolve(name, " ".join(said[s:end])) != clean_phrase(meant):
            return False
    return True


def load_heads(folder: Path) -> nlu_train.Heads:
    return nlu_train.load_heads(folder)


def export(heads: nlu_train.Heads, folder: Path) -> None:
    """The four ONNX heads (int8, as the shipped model) and ``nlu.json``."""
    nlu_train.export(heads, folder, int8=True)


def load_understander(folder: Path) -> NluUnderstander:
    """The run-time understander for a model folder."""
    from assistant.understanding.nlu import NluUnderstander

    return NluUnderstander(folder)


def base_accuracy(folder: Path) -> float:
    """Intent accuracy (%) of a model folder on the whole base test set (for the benchmark)."""
    base = load_base()
    store = FeatureStore(nlu_train.encoder())
    acc = evaluate(load_heads(folder), base.test, store)["accuracy"]
    store.save(prune=False)
    return 100 * acc
