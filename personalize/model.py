"""Fine-tuning the live NLU model on household examples, with replay of the base data.

The same model the assistant runs is trained further: its weights are read back from the live
``model.onnx`` (``train.load_trained``), the top ``TRAIN_FROM``.. layers and the output layers
are trained on the household's examples plus a fixed sample of the base training data (so the
model does not forget what everyone else says), and the result is exported int8 like the
shipped model. The layers below stay bit for bit as they were; their output for each utterance
comes from :class:`personalize.featstore.StateStore`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.events import Understanding
from assistant.household.understander import apply as apply_household
from assistant.household.words import Household
from assistant.training import pack
from assistant.training import train as nlu_train
from assistant.training.datasets import Example as NluExample
from assistant.understanding.modelfiles import FILES
from assistant.values.phrases import clean_phrase
from personalize.dataset import Example
from personalize.featstore import StateStore, frozen_id

if TYPE_CHECKING:
    from assistant.understanding.nlu import NluUnderstander

# The base subsets (defaults in assistant/training/pack.py, which ships them in the model
# folder as base-pack.jsonl.gz for devices without the data sets):
REPLAY = pack.REPLAY  # base training examples replayed each night against forgetting (4000)
TEST: int | None = pack.TEST  # base test examples for the promotion gate (None: all ~6900)
USER_COPIES = 6  # copies of a household example seen once (grows with sqrt of its count)
MAX_USER_COPIES = 20
TRAIN_FROM = 4  # the nightly job trains layers 4 and 5 (of 0..5) and the output layers
EPOCHS = 2.0
LR = 1e-4
# The output layers start trained: at the base recipe's rate (2e-3) they re-fit to the replay
# sample's small class counts and forget (e2e household, 1200 replay utterances: base test
# -0.84 points at 2e-3, -0.34 at 2e-4, household gain the same).
HEAD_LR = 2e-4
# Shares of the fine-tuned weights to try, the rest from the start model (blend.py): the job
# promotes the most personalized blend that passes the promotion rule.
BLENDS = (1.0, 0.7, 0.4)
# Replay keeps the start model's own intent distribution, not only its labels (learning without
# forgetting): the household's examples pull the shared layers, replay pulls them back to where
# they were on everyone else's phrasings.
DISTIL = 1.0
SEED = pack.SEED


@dataclass
class BaseData:
    """Fixed subsets of the base data set: replay (train side) and test."""

    replay: list[NluExample]
    test: list[NluExample]
    origin: str = ""  # the data folder, or the base pack they were read from


_BASE: dict[tuple[int, int | None], BaseData] = {}


def load_base() -> BaseData:
    """The same seeded subsets every night (so their states stay in the store).

    From the data folder when it is there (``$HEARTH_DATA`` or ``../shared/data``), else from
    the base pack shipped with the model (``models/hearth-nlu/base-pack.jsonl.gz``).
    """
    key = (REPLAY, TEST)
    if key not in _BASE:
        subsets, origin = pack.load_base_subsets(REPLAY, TEST, SEED)
        _BASE[key] = BaseData(subsets.train, subsets.test, origin)
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


def load_trained(folder: Path) -> nlu_train.Trained:
    return nlu_train.load_trained(folder)


def fine_tune(start_dir: Path, user: Sequence[Example], base: BaseData, progress: bool = True,
              store_path: Path | None = None) -> nlu_train.Trained:
    """The model of ``start_dir`` trained further on household examples plus the replay sample."""
    from assistant.training import finetune
    from assistant.training.minilm import relabel, weights_of
    from assistant.training.torch_cpu import torch
    from assistant.understanding.wordpieces import WordPieces

    start = load_trained(start_dir)
    train = list(base.replay) + [x for e in user for x in to_nlu(e, copies(e))]
    intents, tags = nlu_train.labels_of(train)
    intents = sorted(set(intents) | set(start.intent_labels))
    tags = sorted(set(tags) | set(start.tag_labels))
    model = relabel(start.model, (start.intent_labels, start.tag_labels), (intents, tags))
    data = finetune.encode(WordPieces(Path(start_dir) / FILES["tokenizer"]), train, intents, tags)
    store = StateStore(frozen_id(weights_of(model), TRAIN_FROM), store_path)
    words = [e.words for e in train]
    missing = store.missing(words)
    if missing:
        for i, s in zip(missing, finetune.frozen_states(model, data.rows(missing), TRAIN_FROM), strict=True):
            store.put(words[i], s.numpy())
    store.save()
    frozen = [torch.from_numpy(np.asarray(s)) for s in store.get(words)]
    if DISTIL:
        data.teacher = finetune.teach(model, data, range(len(base.replay)), TRAIN_FROM, frozen)
    recipe = finetune.Recipe(epochs=EPOCHS, lr=LR, head_lr=HEAD_LR, train_from=TRAIN_FROM, seed=SEED,
                             distil=DISTIL)
    finetune.fit(model, data, recipe, progress, desc="personalize", frozen=frozen)
    same_tags = tags == start.tag_labels
    transitions = start.transitions if same_tags else nlu_train.fit_transitions(
        [[tags.index(t) for t in e.tags] for e in train if e.tags is not None], tags)
    meta = {**start.meta, "personalized_with": len(user)}
    # The out-of-scope threshold stays as calibrated on the whole validation set: re-choosing it
    # nightly on the small sample would move base accuracy more than the household data does.
    return nlu_train.Trained(model, intents, tags, 1.0, start.threshold, transitions,
                             start.transition_weight, meta, start.tokenizer)


def load_understander(folder: Path) -> NluUnderstander:
    """The run-time understander for a model folder."""
    from assistant.understanding.nlu import NluUnderstander

    return NluUnderstander(folder, threads=2)


def evaluate(folder: Path, examples: Sequence[NluExample]) -> dict[str, float]:
    """Intent accuracy and slot F1 on base examples, as the exported model runs."""
    if not examples:
        return {"n": 0}
    m = nlu_train.evaluate(folder, examples)["all"]
    return {k: m[k] for k in ("n", "accuracy", "slot_f1") if k in m}


def household_accuracy(folder: Path, examples: Sequence[Example], words: Household) -> dict[str, float]:
    """What the household would notice: the intent, and each slot it meant with its value.

    ``accuracy`` counts intents; ``frame_accuracy`` also needs every labelled slot found at
    the right words, meaning what the user meant once household synonyms apply ("den" ->
    "living room"), as :class:`assistant.household.understander.HouseholdUnderstander` does.
    """
    if not examples:
        return {"n": 0}
    found = load_understander(folder).parse_many([tuple(e.text.split()) for e in examples])
    intent_ok = [u.intent == e.intent for u, e in zip(found, examples, strict=True)]
    frame_ok = [ok and _slots_right(e, apply_household(u, words), words)
                for ok, u, e in zip(intent_ok, found, examples, strict=True)]
    return {"n": len(examples), "accuracy": round(float(np.mean(intent_ok)), 4),
            "frame_accuracy": round(float(np.mean(frame_ok)), 4)}


def _slots_right(e: Example, u: Understanding, words: Household) -> bool:
    if e.slots is None:
        return True
    found = {(s.name, s.start, s.end): s for s in u.slots}
    said = e.text.split()
    for name, s, end in e.slots:
        if (name, s, end) not in found:
            return False
        meant = e.values.get(name)
        if meant is not None and words.resolve(name, " ".join(said[s:end])) != clean_phrase(meant):
            return False
    return True


def export(trained: nlu_train.Trained, folder: Path) -> None:
    """The graph (int8, as the shipped model), its tokenizer and ``nlu.json``."""
    nlu_train.export(trained, folder, int8=True)


def base_accuracy(folder: Path) -> float:
    """Intent accuracy (%) of a model folder on the whole base test set (for the benchmark)."""
    return 100 * evaluate(folder, load_base().test)["accuracy"]
