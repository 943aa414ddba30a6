"""Weight blending: the ends are the two models, labels are matched by name."""

from __future__ import annotations

import numpy as np

from assistant.training.heads import Head
from assistant.training.lexical import LexicalHead
from personalize.blend import blend_dense, blend_lexical


def dense(labels: list[str], w: float) -> Head:
    return Head(labels, np.zeros(3, np.float32), np.ones(3, np.float32),
                [(np.full((3, len(labels)), w, np.float32), np.arange(len(labels), dtype=np.float32) * w)])


def test_dense_ends_and_middle() -> None:
    a, b = dense(["x", "y"], 0.0), dense(["x", "y"], 2.0)
    x = np.ones((1, 3), np.float32)
    assert np.allclose(blend_dense(a, b, 1.0).logits(x), b.logits(x))
    assert np.allclose(blend_dense(a, b, 0.0).logits(x), a.logits(x))
    assert np.allclose(blend_dense(a, b, 0.5).layers[0][0], 1.0)


def test_new_label_keeps_the_tuned_column_and_old_ones_are_matched_by_name() -> None:
    start = dense(["y", "x"], 0.0)  # other order, no "z"
    tuned = dense(["x", "y", "z"], 2.0)
    tuned.layers[0][1][:] = [10.0, 20.0, 30.0]
    start.layers[0][1][:] = [2.0, 1.0]  # y=2, x=1
    mixed = blend_dense(start, tuned, 0.5)
    assert np.allclose(mixed.layers[0][1], [(1 + 10) / 2, (2 + 20) / 2, 30.0])
    assert mixed.labels == ["x", "y", "z"]


def test_lexical_blend() -> None:
    def lex(v: float, labels: list[str]) -> LexicalHead:
        return LexicalHead(labels, 4, np.ones(4, np.float32), np.full((4, 2), v, np.float32),
                           np.full((2, len(labels)), v, np.float32), np.full(len(labels), v, np.float32))

    m = blend_lexical(lex(0.0, ["a"]), lex(1.0, ["a", "b"]), 0.25)
    assert np.allclose(m.emb, 0.25) and np.allclose(m.out[:, 0], 0.25) and np.allclose(m.out[:, 1], 0.25 + 0.75)
