"""Crash-safe files: a reader sees the old file or the new one, never half of either.

Every file Hearth writes that something else reads (models, compiled language models, unit
files, status, the personalization job's state) goes through here: write to a temporary name in
the same folder, fsync, rename over the old one. A full disk or a kill -9 mid-write leaves the
old file and, at worst, a stray ``.tmp`` that the next write replaces.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

PRIVATE_DIR = 0o700  # the data folder: the household's history is nobody else's business
PRIVATE_FILE = 0o600  # the database, its WAL and SHM, history exports


def write_atomic(path: Path | str, data: bytes | str, *, mode: int | None = None,
                 durable: bool = True) -> None:
    """Replace ``path`` with ``data`` in one rename.

    ``mode`` sets the permission bits before the rename (a unit file is 0644 at once);
    ``durable=False`` skips the fsync for files that are only a snapshot (status).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_dir(path.parent)


def write_json(path: Path | str, data: Any, *, mode: int | None = None,
               durable: bool = True) -> None:
    """``data`` as indented UTF-8 JSON, atomically (values JSON can't hold become strings)."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    write_atomic(path, text, mode=mode, durable=durable)


def read_json(path: Path | str, default: Any = None) -> Any:
    """The JSON in ``path``, or ``default`` when the file is missing."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default


@contextlib.contextmanager
def atomic_dir(target: Path | str) -> Iterator[Path]:
    """Build a folder in a staging place beside ``target``; on success it replaces ``target``.

    A concurrent reader sees all of the old folder or all of the new one. On an error the
    staging folder is removed and ``target`` is untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".building",
                                    dir=target.parent))
    try:
        yield staging
        fsync_dir(staging)
        replace_dir(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def replace_dir(new: Path | str, target: Path | str) -> None:
    """Rename folder ``new`` over ``target``: an older ``target`` is moved aside first, restored
    if the rename fails, and deleted once the new one is in place."""
    new, target = Path(new), Path(target)
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.{os.getpid()}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    fsync_dir(target.parent)


def fsync_dir(d: Path | str) -> None:
    """Make a rename inside ``d`` durable (a no-op where folders can't be opened)."""
    try:
        fd = os.open(d, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_private(path: Path | str, mode: int) -> None:
    """Set ``path`` to exactly ``mode`` when it is ours (whatever the umask made it); a file
    someone else owns is left as it is."""
    st = os.stat(path)
    if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) != mode:
        os.chmod(path, mode)


def private_dir(path: Path | str) -> Path:
    """``path`` as a folder only its owner can enter (made if missing, tightened if not)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    make_private(path, PRIVATE_DIR)
    return path


def private_file(path: Path | str) -> Path:
    """``path`` exists and only its owner may read it (an empty file is made if missing)."""
    path = Path(path)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE))
    make_private(path, PRIVATE_FILE)
    return path


def open_private(path: Path | str) -> IO[str]:
    """``path`` truncated and opened for UTF-8 text that only its owner may read."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, PRIVATE_FILE)
    try:
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, PRIVATE_FILE)
        return os.fdopen(fd, "w", encoding="utf-8")
    except BaseException:
        os.close(fd)
        raise
