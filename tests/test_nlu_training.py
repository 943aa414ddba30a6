"""The training API the personalization room builds on: fine-tune, export, load, train further.

Fine-tunes the real all-MiniLM-L6-v2 on a small slice of the templated data (seconds, not the
full recipe), so it checks that the pieces fit, not the shipped model's accuracy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from assistant.training import finetune, train  # noqa: E402
from assistant.training.datasets import Example, Splits  # noqa: E402
from assistant.training.synth import generate  # noqa: E402
from assistant.understanding.modelfiles import ModelSpec  # noqa: E402
from assistant.understanding.nlu import NluUnderstander  # noqa: E402

INTENTS = ("timer_set", "timer_cancel", "list_add", "alarm_set", "memory_remember")
QUICK = finetune.Recipe(epochs=4, lr=2e-4, batch=16)


@pytest.fixture(scope="module")
def small() -> Splits:
    data = [e for e in generate(per_template=5) if e.intent in INTENTS]
    train_part, val = train.holdout(data, 0.2, 0)
    return Splits(train=train_part, val=val, test=val)


@pytest.fixture(scope="module")
def exported(small: Splits, tmp_path_factory: pytest.TempPathFactory) -> tuple[train.Trained, Path]:
    trained = train.train_model(small, QUICK, progress=False)
    out = tmp_path_factory.mktemp("nlu")
    train.export(trained, out)
    return trained, out


def test_the_model_learns_its_data(small: Splits, exported: tuple[train.Trained, Path]) -> None:
    _, out = exported
    m = train.evaluate(out, small.train)["all"]
    assert m["accuracy"] > 0.9 and m["slot_f1"] > 0.7


def test_calibration_and_labels_are_in_nlu_json(exported: tuple[train.Trained, Path]) -> None:
    trained, out = exported
    spec = ModelSpec.read(out)
    assert spec.intent_labels == sorted(INTENTS) and "O" in spec.tag_labels
    assert spec.threshold == trained.threshold and 0.5 <= trained.temperature <= 3.0
    assert {"temperature", "val_oos", "recipe"} <= set(spec.meta)


def test_exported_folder_runs_in_the_runtime(exported: tuple[train.Trained, Path]) -> None:
    _, out = exported
    u = NluUnderstander(out).parse("start a timer for twelve minutes")
    assert u.intent == "timer_set" and u.slot("duration") is not None
    assert (out / "tokenizer.json").is_file()


def test_same_seed_same_model(small: Splits, tmp_path: Path) -> None:
    part = Splits(small.train[:40], small.val[:20])
    a, b = (train.train_model(part, finetune.Recipe(epochs=1, batch=16), progress=False) for _ in range(2))
    train.export(a, tmp_path / "a")
    train.export(b, tmp_path / "b")
    assert (tmp_path / "a" / "model.onnx").read_bytes() == (tmp_path / "b" / "model.onnx").read_bytes()


def test_top_layers_learn_a_new_intent(small: Splits, exported: tuple[train.Trained, Path]) -> None:
    """Nightly fine-tuning: the exported model read back, a new intent, layers 0-3 frozen."""
    from assistant.training.minilm import relabel, weights_of
    from assistant.understanding.wordpieces import WordPieces

    _, out = exported
    start = train.load_trained(out)
    before = weights_of(start.model)
    phrases = ["feed the fish", "did you feed the fish", "fish food time", "time to feed the fish",
               "the fish are hungry", "give the fish some food"]
    user = [Example(tuple(p.split()), "aux:feed_fish", None, "user", "feed_fish") for p in phrases]
    data_ex = small.train + user * 3
    intents = sorted(set(start.intent_labels) | {"aux:feed_fish"})
    model = relabel(start.model, (start.intent_labels, start.tag_labels), (intents, start.tag_labels))
    data = finetune.encode(WordPieces(out / "tokenizer.json"), data_ex, intents, start.tag_labels)
    finetune.fit(model, data, finetune.Recipe(epochs=3, train_from=4, batch=16), progress=False)
    after = weights_of(model)
    assert all(np.array_equal(before[k], after[k]) for k in before if k.startswith(("layers.0.", "layers.3.", "word_emb")))
    assert not np.array_equal(before["layers.5.ffn_in.weight"], after["layers.5.ffn_in.weight"])
    tuned = train.Trained(model, intents, start.tag_labels, 1.0, start.threshold, start.transitions,
                          start.transition_weight, {}, start.tokenizer)
    train.export(tuned, out.parent / "tuned")
    found = NluUnderstander(out.parent / "tuned").parse_many([("feed", "the", "fish", "please")])
    assert found[0].intent == "out_of_scope" and found[0].alternatives  # aux:* folds into out_of_scope
    val = train.evaluate(out.parent / "tuned", small.val)["all"]
    assert val["accuracy"] > 0.8


def test_replay_with_the_start_models_own_answers_forgets_less(
        small: Splits, exported: tuple[train.Trained, Path]) -> None:
    """The nightly job's distillation: household examples that pull against the base data move the
    replayed predictions less when replay carries the start model's own probabilities."""
    import torch

    from assistant.training.minilm import relabel
    from assistant.understanding.wordpieces import WordPieces

    _, out = exported
    # a household that means something new by half of the list phrasings: a pull against replay
    lists = [e for e in small.train if e.intent == "list_add"][::2]
    user = [Example(e.words, "aux:shopping_note", None, "user", "shopping_note") for e in lists]
    replay = [e for e in small.train if e not in lists]
    drift, same = {}, {}
    for distil in (0.0, 2.0):
        start = train.load_trained(out)
        intents = sorted(set(start.intent_labels) | {"aux:shopping_note"})
        model = relabel(start.model, (start.intent_labels, start.tag_labels), (intents, start.tag_labels))
        data = finetune.encode(WordPieces(out / "tokenizer.json"), replay + user * 3, intents, start.tag_labels)
        rows = range(len(replay))
        data.teacher = finetune.teach(model, data, rows, 4)
        finetune.fit(model, data, finetune.Recipe(epochs=2, train_from=4, batch=16, distil=distil),
                     progress=False)
        after = finetune.teach(model, data, rows, 4)[: len(replay)]
        p = data.teacher[: len(replay)]
        drift[distil] = float((p * (torch.log(p.clamp(min=1e-12)) - torch.log(after.clamp(min=1e-12)))).sum(1).mean())
        same[distil] = float((p.argmax(1) == after.argmax(1)).float().mean())
    # measured 0.116 -> 0.039, and 0.138 -> 0.071 on the templates with reminder_cancel
    assert drift[2.0] < 0.6 * drift[0.0], drift
    assert same[2.0] > same[0.0], same  # the same intent on 93% of replay -> 99%


def test_the_card_reports_test_scores_without_sentences_trained_on(tmp_path: Path) -> None:
    from assistant.training import modelcard

    seen = Example(("set", "a", "timer"), "timer_set", None, "synth", "timer_set")
    new = Example(("pop", "a", "timer", "on"), "timer_set", None, "synth", "timer_set")
    test, verbatim = train.unseen([seen, new, seen], [seen])
    assert test == [new] and verbatim == 2
    card = modelcard.write(tmp_path, {"test_verbatim_in_train_removed": verbatim},
                           {"all": {"n": 1, "accuracy": 1.0}}, {})
    assert "The 2 test sentences that are verbatim in the\ntraining data are left out" in card.read_text()
