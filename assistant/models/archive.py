"""Unpack a model archive (zip, tar, tar.gz/xz/bz2) safely into a folder.

Members that would land outside the folder (absolute paths, ``..``, links) are refused, and a
single top-level folder (``vosk-model-x/...``) is stripped so every model unpacks the same way.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from assistant.errors import ModelError

SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2")


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def _unzip(archive: Path, dest: Path) -> None:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise ModelError(f"{archive.name}: refusing unsafe member '{info.filename}'")
            zf.extract(info, dest)


def _untar(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tf:
        try:
            tf.extractall(dest, filter="data")
        except tarfile.FilterError as e:
            raise ModelError(f"{archive.name}: refusing unsafe member: {e}") from None


def unpack(archive: Path, dest: Path) -> Path:
    """Extract ``archive`` into ``dest``; returns the model root (the single top folder if any)."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if archive.name.lower().endswith(".zip"):
            _unzip(archive, dest)
        else:
            _untar(archive, dest)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
        raise ModelError(f"{archive.name} is not a readable archive: {e}") from None
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest
