"""The install stamp: a JSON file written into each installed model folder.

It records where the model came from and the hash of every file as installed, so ``verify``
can check models whose manifest entry lists no hashes (an archive known only by its own
checksum, a non-deterministic conversion).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from assistant.models.manifest import FileEntry

STAMP = ".hearth-model.json"


def write(folder: Path, name: str, origin: str, files: list[FileEntry]) -> None:
    data = {
        "name": name,
        "origin": origin,
        "installed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in files],
    }
    (folder / STAMP).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def read(folder: Path) -> dict | None:
    """The stamp as a dict, or None when absent or unreadable (treated as not stamped)."""
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def files(folder: Path) -> list[FileEntry] | None:
    """The files recorded at install time, or None without a usable stamp."""
    data = read(folder)
    if data is None or not isinstance(data.get("files"), list):
        return None
    try:
        return [FileEntry(f["path"], f.get("size"), f.get("sha256")) for f in data["files"]]
    except (KeyError, TypeError):
        return None
