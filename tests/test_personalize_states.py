"""The nightly job's store of frozen-layer states: kept per utterance, pruned, tied to the weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from personalize.featstore import StateStore, frozen_id


def test_round_trip_prune_and_other_weights(tmp_path: Path) -> None:
    path = tmp_path / "states.npz"
    s = StateStore("a", path)
    utts = [("set", "a", "timer"), ("lights", "off")]
    assert s.missing(utts) == [0, 1]
    for u in utts:
        s.put(u, np.full((len(u) + 2, 384), len(u), np.float32))
    s.save()
    again = StateStore("a", path)
    assert again.missing(utts[:1]) == []  # only the first is used this time
    assert again.get(utts[:1])[0].dtype == np.float16 and again.get(utts[:1])[0].shape == (5, 384)
    again.save()
    assert StateStore("a", path).missing(utts) == [1]  # pruned to what the last night used
    assert StateStore("b", path).missing(utts) == [0, 1]  # other frozen layers: nothing reused


def test_frozen_id_covers_only_the_frozen_layers() -> None:
    w = {"word_emb.weight": np.zeros(2), "layers.0.q.weight": np.zeros(2), "layers.4.q.weight": np.zeros(2),
         "intent.weight": np.zeros(2)}
    base = frozen_id(w, 4)
    assert frozen_id({**w, "layers.4.q.weight": np.ones(2), "intent.weight": np.ones(2)}, 4) == base
    assert frozen_id({**w, "layers.0.q.weight": np.ones(2)}, 4) != base
    assert frozen_id(w, 3) != base
