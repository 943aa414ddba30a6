"""The joint MiniLM model: torch forward == exported fp32 graph ~ int8 graph; weights round-trip.

Real weights (the fp32 all-MiniLM-L6-v2 checkpoint), random output layers: this checks the
export, not what the model learned (test_nlu_training, test_nlu_model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from assistant.onnx_session import open_session  # noqa: E402
from assistant.training import joint_onnx, train  # noqa: E402
from assistant.training.minilm import (  # noqa: E402
    Batch,
    JointModel,
    from_weights,
    load_checkpoint,
    relabel,
    weights_of,
)
from assistant.understanding.wordpieces import WordPieces  # noqa: E402

UTTERANCES = [u.split() for u in ("set a timer for ten minutes", "what's the weather in leeds tomorrow",
                                  "hi", "add gran's tablets to the list")]


@pytest.fixture(scope="module")
def model() -> JointModel:
    torch.manual_seed(0)
    m = JointModel(7, 5)
    load_checkpoint(m, train.base_model_dir() / "model.safetensors")
    return m.eval()


@pytest.fixture(scope="module")
def wp() -> WordPieces:
    return WordPieces(train.base_model_dir() / "tokenizer.json")


@pytest.fixture(scope="module")
def exported(model: JointModel, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("joint")
    w = weights_of(model)
    return {k: joint_onnx.write(w, d / f"{k}.onnx", int8=k == "int8") for k in ("fp32", "int8")}


def test_word_index_points_at_each_words_first_piece(wp: WordPieces) -> None:
    inp = wp.batch([["gran's", "tablets"], ["hi"]])
    ids = inp.input_ids[0]
    assert inp.n_words == [2, 1] and inp.word_index.shape == (2, 2)
    first = wp.tokenizer.id_to_token(int(ids[inp.word_index[0, 0]]))
    assert first == "gran" and wp.tokenizer.id_to_token(int(ids[inp.word_index[0, 1]])) == "tablets"
    assert inp.attention_mask[1].sum() == 3  # [CLS] hi [SEP]


def test_graph_matches_torch(model: JointModel, wp: WordPieces, exported: dict[str, Path]) -> None:
    inp = wp.batch(UTTERANCES)
    with torch.no_grad():
        li, lt = model(Batch(*(torch.from_numpy(a) for a in (inp.input_ids, inp.attention_mask, inp.word_index)),
                             None))
    probs, logp = li.softmax(-1).numpy(), lt.log_softmax(-1).numpy()
    p32, t32 = open_session(exported["fp32"]).run(None, inp.feed())
    assert np.abs(p32 - probs).max() < 1e-5
    for i, n in enumerate(inp.n_words):
        assert np.abs(t32[i, :n] - logp[i, :n]).max() < 1e-4
    p8, t8 = open_session(exported["int8"]).run(None, inp.feed())
    assert np.abs(p8 - probs).max() < 0.02
    assert exported["int8"].stat().st_size < exported["fp32"].stat().st_size / 3


def test_int8_weights_read_back_and_requantize_to_the_same_bytes(exported: dict[str, Path], tmp_path: Path) -> None:
    w = joint_onnx.read_weights(exported["int8"])
    again = joint_onnx.write(w, tmp_path / "again.onnx", int8=True)
    assert again.read_bytes() == exported["int8"].read_bytes()
    assert from_weights(w).intent.weight.shape == (7, 384)


def test_relabel_keeps_known_rows_and_adds_new_ones(model: JointModel) -> None:
    m = from_weights(weights_of(model))
    old = ([f"i{k}" for k in range(7)], [f"t{k}" for k in range(5)])
    new = (["i3", "new", "i0"], old[1])
    relabel(m, old, new)
    assert torch.equal(m.intent.weight[0], model.intent.weight[3]) and torch.equal(m.intent.weight[2], model.intent.weight[0])
    assert float(m.intent.bias[1].detach()) == float(model.intent.bias.detach().min()) and not m.intent.weight[1].any()
