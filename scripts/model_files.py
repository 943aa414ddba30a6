"""Print the ``size`` and ``files = [...]`` lines of a models/manifest.toml entry for a folder.

Usage: python scripts/model_files.py FOLDER [RELATIVE_FILE ...]
(all files under FOLDER when no file is named). Paste the output into the model's table.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.models.checksums import hash_tree
from assistant.models.manifest import FileEntry
from assistant.models.stamp import STAMP


def entries(folder: Path, names: list[str]) -> list[FileEntry]:
    found = hash_tree(folder, skip=[STAMP])
    if not names:
        return found
    by_path = {f.path: f for f in found}
    missing = [n for n in names if n not in by_path]
    if missing:
        raise SystemExit(f"error: not in {folder}: {', '.join(missing)}")
    return [by_path[n] for n in names]


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_dir():
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    files = entries(Path(argv[0]), argv[1:])
    print(f"size = {sum(f.size or 0 for f in files)}")
    print("files = [")
    for f in files:
        print(f'  {{ path = "{f.path}", size = {f.size}, sha256 = "{f.sha256}" }},')
    print("]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
