"""Versioned model folders: install makes live atomically, keeps the last N, rollback steps back."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import HearthError
from assistant.household import versions


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    return tmp_path


def make_folder(tmp_path: Path, tag: str) -> Path:
    d = tmp_path / "work" / tag
    d.mkdir(parents=True)
    (d / "heads.onnx").write_text(tag)
    return d


def test_install_rollback_prune(tmp_path: Path) -> None:
    assert versions.live_version() is None
    assert versions.current_model_dir() == versions.shipped_model_dir()
    with pytest.raises(HearthError):
        versions.rollback()
    for i in range(1, 5):
        v = versions.install(make_folder(tmp_path, f"m{i}"), {"night": i}, keep=3)
        assert v == i and versions.live_version() == i
        assert (versions.live_model_dir() / "heads.onnx").read_text() == f"m{i}"
        assert versions.read_meta(i)["previous"] == (i - 1 if i > 1 else None)
    assert versions.list_versions() == [2, 3, 4]  # keep_versions=3
    assert versions.current_model_dir() == versions.versions_dir() / "4"
    assert versions.rollback() == 3 and versions.live_version() == 3
    assert versions.rollback() == 2
    assert versions.rollback() is None  # back to the shipped model
    assert not versions.live_model_dir().exists()
    assert versions.current_model_dir() == versions.shipped_model_dir()


def test_prune_never_removes_the_live_version(tmp_path: Path) -> None:
    for i in range(1, 4):
        versions.install(make_folder(tmp_path, f"m{i}"), {}, keep=5)
    versions.rollback()
    versions.rollback()  # live = 1, the oldest
    assert versions.live_version() == 1
    versions.prune(1)
    assert 1 in versions.list_versions() and versions.live_version() == 1


def test_half_moved_leftovers_are_cleaned(tmp_path: Path) -> None:
    versions.install(make_folder(tmp_path, "m1"), {}, keep=3)
    junk = versions.versions_dir() / "7"
    junk.mkdir()  # a crash between mkdir and meta.json
    assert versions.list_versions() == [1]
    assert versions.install(make_folder(tmp_path, "m2"), {}, keep=3) == 8
    assert not junk.exists()
