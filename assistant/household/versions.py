"""Versioned personalized models with an atomic ``live`` switch.

Layout under ``data_dir()/nlu``::

    versions/1/  versions/2/ ...   complete model folders (heads, household.json, meta.json)
    live -> versions/2             a relative symlink, swapped with one rename

A rename of a symlink is atomic on POSIX, so a reader (the service on SIGHUP) sees either the old
or the new model, and a crash at any moment leaves a working ``live``. Only this module writes
there; it imports nothing heavy so the loop can call :func:`live_model_dir` cheaply.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.errors import HearthError
from assistant.files import fsync_dir, read_json, write_json
from assistant.understanding.modelfiles import FORMAT_VERSION, format_of

SHIPPED_MODEL = "hearth-nlu"
META = "meta.json"
HOUSEHOLD = "household.json"


def nlu_root() -> Path:
    return paths.data_dir() / "nlu"


def versions_dir() -> Path:
    return nlu_root() / "versions"


def live_link() -> Path:
    return nlu_root() / "live"


def shipped_model_dir() -> Path:
    """The base model that ships with the code."""
    return paths.REPO_MODELS / SHIPPED_MODEL


def live_model_dir() -> Path:
    """The personalized model folder in use (resolved, so one load reads one version).

    Does not exist (``.exists()`` is False) until a first night promoted a model; the
    understander then uses :func:`shipped_model_dir`.
    """
    link = live_link()
    return link.resolve() if link.is_symlink() else link


def current_model_dir() -> Path:
    """The live personalized model if there is one this code can run, else the shipped model
    (a version an older Hearth trained in another model format is passed over)."""
    live = live_model_dir()
    if (live / META).exists() and format_of(live) in (FORMAT_VERSION, None):
        return live
    return shipped_model_dir()


def household_file() -> Path | None:
    """``household.json`` of the live model (household words for gazetteers and the ASR)."""
    f = live_model_dir() / HOUSEHOLD
    return f if f.exists() else None


def live_version() -> int | None:
    """The number of the live version, or None when the shipped model is in use."""
    link = live_link()
    if not link.is_symlink():
        return None
    name = Path(os.readlink(link)).name
    return int(name) if name.isdigit() and live_model_dir().exists() else None


def list_versions() -> list[int]:
    """Complete version numbers on disk, oldest first (staging folders are ignored)."""
    d = versions_dir()
    if not d.exists():
        return []
    return sorted(int(p.name) for p in d.iterdir()
                  if p.name.isdigit() and (p / META).exists())


def read_meta(version: int) -> dict[str, Any]:
    return read_json(versions_dir() / str(version) / META, {})


def point_live(version: int | None) -> None:
    """Atomically point ``live`` at ``versions/<version>`` (None: back to the shipped model)."""
    root = nlu_root()
    root.mkdir(parents=True, exist_ok=True)
    if version is None:
        if live_link().is_symlink():
            live_link().unlink()
    else:
        tmp = root / ".live.tmp"
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(f"versions/{version}", tmp)
        os.replace(tmp, live_link())
    fsync_dir(root)


def install(folder: Path, meta: dict[str, Any], keep: int) -> int:
    """Move a finished model ``folder`` in as the next version, make it live, prune old ones.

    ``folder`` must be on the same file system (the job's work folder is under data_dir).
    """
    vdir = versions_dir()
    vdir.mkdir(parents=True, exist_ok=True)
    existing = [int(p.name) for p in vdir.iterdir() if p.name.isdigit()]
    version = max(existing, default=0) + 1
    meta = {**meta, "version": version, "previous": live_version()}
    write_json(folder / META, meta)
    os.rename(folder, vdir / str(version))
    fsync_dir(vdir)
    point_live(version)
    prune(keep)
    return version


def prune(keep: int) -> list[int]:
    """Delete all but the newest ``keep`` versions; never the live one. Returns those removed."""
    live = live_version()
    done = list_versions()
    removed = [v for v in done[:-keep] if v != live] if keep > 0 else [v for v in done if v != live]
    for v in removed:
        shutil.rmtree(versions_dir() / str(v), ignore_errors=True)
    # Half-moved leftovers of a crash (no meta.json) are garbage too.
    if versions_dir().exists():
        for p in versions_dir().iterdir():
            if p.name.isdigit() and not (p / META).exists() and int(p.name) != live:
                shutil.rmtree(p, ignore_errors=True)
    return removed


def rollback() -> int | None:
    """Make the version before the live one live (None: the shipped model). Returns it."""
    live = live_version()
    if live is None:
        raise HearthError("nothing to roll back: the shipped model is already in use")
    older = [v for v in list_versions() if v < live]
    target = older[-1] if older else None
    point_live(target)
    return target
