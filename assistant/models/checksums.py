"""sha256 of files and folders, and the comparison of a folder against its expected files."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assistant.models.manifest import FileEntry

_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def hash_tree(folder: Path, skip: Iterable[str] = ()) -> list[FileEntry]:
    """Every regular file under ``folder`` (sorted, posix relative paths) with size and sha256."""
    skipped = set(skip)
    out = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and not p.is_symlink() and rel not in skipped:
            out.append(FileEntry(rel, p.stat().st_size, sha256_file(p)))
    return out


@dataclass(frozen=True)
class Problem:
    """One file that is missing or differs; ``kind`` is "MISSING" or "MISMATCH"."""

    kind: str
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


def check_files(folder: Path, expected: Iterable[FileEntry], deep: bool = True) -> list[Problem]:
    """Compare files on disk; ``deep=False`` checks presence and size only (cheap, for locate)."""
    expected = list(expected)
    found = []
    for e in expected:
        p = folder / e.path
        if p.is_file():
            digest = sha256_file(p) if deep and e.sha256 else None
            found.append(FileEntry(e.path, p.stat().st_size, digest))
    return compare(found, expected)


def compare(found: Iterable[FileEntry], expected: Iterable[FileEntry]) -> list[Problem]:
    """Compare found files with the expected ones; extra files are allowed and a found file
    without a hash (a shallow check) is compared by size only."""
    have = {f.path: f for f in found}
    problems = []
    for e in expected:
        f = have.get(e.path)
        if f is None:
            problems.append(Problem("MISSING", e.path, "missing"))
        elif e.size is not None and f.size != e.size:
            problems.append(Problem("MISMATCH", e.path, f"size {f.size}, expected {e.size}"))
        elif e.sha256 and f.sha256 is not None and f.sha256 != e.sha256:
            problems.append(Problem("MISMATCH", e.path, f"sha256 {(f.sha256 or '')[:12]}…, "
                                    f"expected {e.sha256[:12]}…"))
    return problems
