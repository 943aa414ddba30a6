"""benchmarks/nlu.py --recipe: the recipe a comparison run trains with, typed as the shipped one."""

from __future__ import annotations

import pytest
from bench_helpers import bench_module

from assistant.training import finetune


def test_changes_are_typed_like_the_shipped_recipe_and_the_rest_is_kept() -> None:
    nlu = bench_module("nlu")
    r = nlu.recipe_of(["epochs=8", "lr=2e-4", "batch=16"], threads=1, quick=False)
    assert (r.epochs, r.lr, r.batch, r.threads) == (8.0, 2e-4, 16, 1)
    assert isinstance(r.batch, int) and isinstance(r.epochs, float)
    assert r.head_lr == finetune.Recipe.head_lr and r.train_from == finetune.Recipe.train_from
    assert nlu.recipe_of([], threads=2, quick=False) == finetune.Recipe(threads=2)
    assert nlu.recipe_of([], threads=2, quick=True).epochs == 1.0


@pytest.mark.parametrize("change", ["epoch=8", "lr", "lr=", "threads2"])
def test_a_misspelt_change_stops_the_run_with_the_keys_it_takes(change: str) -> None:
    with pytest.raises(SystemExit, match="expected KEY=VALUE with KEY one of epochs, batch"):
        bench_module("nlu").recipe_of([change], threads=1, quick=False)
