"""Weight blending: the ends are the two models, output rows are matched by label."""

from __future__ import annotations

import numpy as np

from personalize.blend import blend_weights


def weights(intents: list[str], v: float) -> dict[str, np.ndarray]:
    return {"layers.0.q.weight": np.full((2, 2), v, np.float32),
            "intent.weight": np.arange(len(intents), dtype=np.float32)[:, None].repeat(2, 1) * v,
            "intent.bias": np.arange(len(intents), dtype=np.float32) * v,
            "tags.bias": np.full(1, v, np.float32)}


def test_ends_and_middle() -> None:
    a, b = weights(["x", "y"], 0.0), weights(["x", "y"], 2.0)
    labels = {"intent": ["x", "y"], "tags": ["O"]}
    for alpha, want in ((1.0, b), (0.0, a)):
        got = blend_weights(a, labels, b, labels, alpha)
        assert all(np.array_equal(got[k], want[k]) for k in want)
    assert np.allclose(blend_weights(a, labels, b, labels, 0.5)["layers.0.q.weight"], 1.0)


def test_a_new_label_keeps_the_tuned_row_and_old_ones_are_matched_by_name() -> None:
    start = weights(["y", "x"], 1.0)  # other order, no "z": bias y=0, x=1
    tuned = weights(["x", "y", "z"], 10.0)  # bias x=0, y=10, z=20
    mixed = blend_weights(start, {"intent": ["y", "x"], "tags": ["O"]},
                          tuned, {"intent": ["x", "y", "z"], "tags": ["O"]}, 0.5)
    assert np.allclose(mixed["intent.bias"], [(1 + 0) / 2, (0 + 10) / 2, 20.0])
    assert mixed["intent.weight"].shape == (3, 2)
