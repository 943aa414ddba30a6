"""The nightly job without the data sets: the base subsets come from the shipped base pack.

``HEARTH_DATA`` points at an empty folder, so ``../shared/data`` is never read; the job's cache
of base subsets is emptied so nothing loaded earlier from the data folder leaks in.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_personalize_e2e import live_household

from assistant.config import Config
from assistant.errors import ModelError
from assistant.household import versions
from assistant.store import Store
from assistant.training import pack
from assistant.understanding.intents import AUX, INTENTS
from personalize import job, model

PACK = versions.shipped_model_dir() / pack.PACK_NAME
SMALL = {"REPLAY": 400, "TEST": 400}


@pytest.fixture()
def no_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    empty = tmp_path / "no-datasets"
    empty.mkdir()
    monkeypatch.setenv("HEARTH_DATA", str(empty))
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(model, "_BASE", {})
    assert pack.data_root()[0] is None
    yield tmp_path / "data"


def test_base_subsets_load_from_the_pack(no_data: Path) -> None:
    base = model.load_base()
    assert base.origin == str(PACK)
    assert (len(base.replay), len(base.test)) == (4000, 6926)
    for part in (base.replay, base.test):
        for e in part:
            assert e.words and (e.intent in INTENTS or e.intent.startswith(AUX)), e
            assert e.tags is None or len(e.tags) == len(e.words), e
    assert {e.source for e in base.test} == {"hwu64", "clinc150", "snips"}
    assert Counter(e.source for e in base.test) == {"clinc150": 5500, "hwu64": 1076, "snips": 350}
    assert "synth" in {e.source for e in base.replay}
    assert sum(e.intent == "out_of_scope" for e in base.test) == 1000  # CLINC150 oos_test
    assert any(e.tags and "B-time" in e.tags for e in base.test)


def test_pack_is_reproducible_and_small() -> None:
    data = PACK.read_bytes()
    assert len(data) < 3_000_000
    header, subsets = pack.read_pack(PACK)
    assert header["counts"] == {"replay": 4000, "test": 6926}
    assert pack.pack_bytes(subsets) == data  # fixed mtime, sorted keys: same bytes
    assert json.loads(gzip.decompress(data).split(b"\n", 1)[0])["licenses"]["hwu64"] == "CC BY 4.0"


def test_pack_matches_the_data_folder_when_there() -> None:
    root, _ = pack.data_root()
    if root is None:
        pytest.skip("no data folder here")
    from_data, _ = pack.load_base_subsets()
    _, from_pack = pack.read_pack(PACK)
    for a, b in zip((from_data.train, from_data.test), (from_pack.train, from_pack.test), strict=True):
        assert [(e.words, e.intent, e.tags, e.source) for e in a] == [
            (e.words, e.intent, e.tags, e.source) for e in b]


def test_no_data_and_no_pack_is_one_clear_error(no_data: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        pack.load_base_subsets(pack=tmp_path / "gone" / pack.PACK_NAME)
    msg = str(err.value)
    assert "\n" not in msg and "no-datasets" in msg and "no base pack at" in msg
    bad = tmp_path / pack.PACK_NAME
    bad.write_bytes(b"not gzip")
    with pytest.raises(ModelError, match="is corrupt"):
        pack.load_base_subsets(pack=bad)


def test_a_night_runs_from_the_pack(no_data: Path, tmp_path_factory: pytest.TempPathFactory,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for k, v in SMALL.items():
        monkeypatch.setattr(model, k, v)
    store = Store(no_data / "hearth.db")
    live_household(2, store, model.load_understander(versions.shipped_model_dir()).parse)
    report = job.run(Config(), store, progress=False)
    assert report["result"] in ("promoted", "kept"), report
    assert model.load_base().origin == str(PACK)
    m = report["metrics"]
    # the base test leaves out what the household said
    assert m["base_live"]["n"] == m["base_new"]["n"] <= SMALL["TEST"]
    assert m["household_new"]["n"] > 0
