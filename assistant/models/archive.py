"""Unpack a model archive (zip, tar, tar.gz/xz/bz2) safely into a folder.

Members that would land outside the folder (absolute paths, ``..``, links) are refused, and a
single top-level folder (``vosk-model-x/...``) is stripped so every model unpacks the same way.
An archive that would unpack to more than ``max_bytes`` or ``max_members`` (a zip bomb, or a
wrong file) is refused before anything is written: the sizes its index declares are what
zip and tar then write at most.
"""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from assistant.errors import ModelError

SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2")
MAX_BYTES = 8 << 30  # unpacked; the largest vosk model is 2.7 GB
MAX_MEMBERS = 20_000  # vosk models hold a few dozen files


def is_archive(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


class _Budget:
    """Counts members and their declared bytes; one line when either goes over its cap."""

    def __init__(self, archive: Path, max_bytes: int, max_members: int) -> None:
        self.archive = archive
        self.max_bytes = max_bytes
        self.max_members = max_members
        self.members = 0
        self.bytes = 0

    def add(self, size: int) -> None:
        self.members += 1
        self.bytes += max(size, 0)
        if self.members > self.max_members:
            raise ModelError(f"{self.archive.name}: more than {self.max_members} members; "
                             "refusing to unpack it")
        if self.bytes > self.max_bytes:
            raise ModelError(f"{self.archive.name}: would unpack to more than "
                             f"{self.max_bytes} bytes; refusing to unpack it")


def _unzip(archive: Path, dest: Path, budget: _Budget) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for info in infos:
            name = PurePosixPath(info.filename)
            if name.is_absolute() or ".." in name.parts:
                raise ModelError(f"{archive.name}: refusing unsafe member '{info.filename}'")
            budget.add(info.file_size)
        for info in infos:
            zf.extract(info, dest)


def _untar(archive: Path, dest: Path, budget: _Budget) -> None:
    with tarfile.open(archive) as tf:
        members = []
        for member in tf:
            budget.add(member.size)
            members.append(member)
        try:
            tf.extractall(dest, members=members, filter="data")
        except tarfile.FilterError as e:
            raise ModelError(f"{archive.name}: refusing unsafe member: {e}") from None


def unpack(archive: Path, dest: Path, max_bytes: int = MAX_BYTES,
           max_members: int = MAX_MEMBERS) -> Path:
    """Extract ``archive`` into ``dest``; returns the model root (the single top folder if any)."""
    dest.mkdir(parents=True, exist_ok=True)
    budget = _Budget(archive, max_bytes, max_members)
    try:
        if archive.name.lower().endswith(".zip"):
            _unzip(archive, dest, budget)
        else:
            _untar(archive, dest, budget)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
        raise ModelError(f"{archive.name} is not a readable archive: {e}") from None
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return dest
