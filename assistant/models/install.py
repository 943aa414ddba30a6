"""``assistant models install``: get a model's files, verify every checksum, then move into place.

Everything is assembled in a hidden staging folder inside the models folder and renamed into
``models_dir()/<name>`` only after all checks pass, so a failed or interrupted install never
leaves a half model where ``locate`` would find it.
"""

from __future__ import annotations

import importlib
import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import HearthError, ModelError
from assistant.files import replace_dir
from assistant.models import archive, checksums, stamp
from assistant.models.download import download
from assistant.models.manifest import (
    DerivedRoute,
    FileEntry,
    LocalRoute,
    ModelEntry,
    PypiRoute,
    RepoRoute,
    UrlRoute,
)
from assistant.models.registry import Registry, install_hint, package_dir, route_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Installed:
    path: Path
    origin: str
    already: bool = False  # it was installed and complete; nothing was done
    unverified: bool = False  # the manifest records no checksum to compare against


def _copy_folder(entry: ModelEntry, src: Path, dest: Path) -> None:
    """Copy the listed files (all files when none are listed) from ``src`` into ``dest``."""
    rels = [f.path for f in entry.files] or [
        p.relative_to(src).as_posix() for p in sorted(src.rglob("*"))
        if p.is_file() and p.name != stamp.STAMP
    ]
    for rel in rels:
        if not (src / rel).is_file():
            raise ModelError(f"{entry.name}: {src} has no file '{rel}'; nothing was installed")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / rel, dest / rel)


def _fully_hashed(entry: ModelEntry) -> bool:
    return bool(entry.files) and all(f.sha256 for f in entry.files)


def _check_archive(entry: ModelEntry, path: Path) -> bool:
    """Compare an archive with the recorded archive checksum (True = it matched); a mismatch is
    fatal unless every file inside has its own sha256 (a repacked archive of the same files)."""
    url = entry.route(UrlRoute)
    if not isinstance(url, UrlRoute) or not url.sha256:
        return False
    got = checksums.sha256_file(path)
    if got == url.sha256:
        return True
    if _fully_hashed(entry):
        log.info("%s: archive checksum differs; checking each file instead", path.name)
        return False
    raise ModelError(f"checksum mismatch for {path.name}: sha256 {got[:12]}…, expected "
                     f"{url.sha256[:12]}… ({entry.name}); nothing was installed")


def _from_path(entry: ModelEntry, src: Path, staging: Path) -> tuple[Path, bool]:
    """Stage a user-given folder, archive or single file (True = archive checksum matched)."""
    if not src.exists():
        raise ModelError(f"{src} does not exist")
    if src.is_dir():
        _copy_folder(entry, src, staging / "model")
        return staging / "model", False
    if archive.is_archive(src):
        matched = _check_archive(entry, src)
        return archive.unpack(src, staging / "unpacked"), matched
    if len(entry.files) > 1:
        listed = ", ".join(f.path for f in entry.files)
        raise ModelError(f"{entry.name} has {len(entry.files)} files ({listed}); "
                         "give --from a folder or an archive that holds them")
    rel = entry.files[0].path if entry.files else src.name
    (staging / "model" / rel).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, staging / "model" / rel)
    return staging / "model", False


def _download(entry: ModelEntry, route: UrlRoute, staging: Path, progress: bool
              ) -> tuple[Path, bool]:
    if route.url:
        name = route.url.rstrip("/").rsplit("/", 1)[-1] or "archive.zip"
        dest = staging / name
        download(route.url, dest, size=route.size, progress=progress)
        matched = _check_archive(entry, dest)
        return archive.unpack(dest, staging / "unpacked"), matched
    if not entry.files:
        raise ModelError(f"{entry.name}: the manifest lists no files to fetch from {route.base_url}")
    out = staging / "model"
    for f in entry.files:
        (out / f.path).parent.mkdir(parents=True, exist_ok=True)
        download(route.base_url.rstrip("/") + "/" + f.path, out / f.path, size=f.size,
                 progress=progress)
    return out, False


def _convert(reg: Registry, entry: ModelEntry, route: DerivedRoute, staging: Path) -> Path:
    """Run ``module:function(source_path, out_dir)`` to build the files from another model."""
    source = reg.locate(route.source)
    module_name, _, func_name = route.converter.partition(":")
    try:
        func = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError) as e:
        raise ModelError(f"{entry.name}: converter {route.converter} is not available ({e})") from None
    out = staging / "model"
    out.mkdir()
    try:
        func(source, out)
    except HearthError:
        raise
    except Exception as e:  # a converter is other code: its failure must still be one line
        raise ModelError(f"{entry.name}: converting {route.source} failed: "
                         f"{type(e).__name__}: {e}") from None
    return out


def _fetch(reg: Registry, entry: ModelEntry, staging: Path, progress: bool
           ) -> tuple[Path, str, bool]:
    """Stage the files by the first route that works here: offline copies before downloads.
    Returns the staged folder, where it came from, and whether an archive checksum matched."""
    for route in entry.routes:
        if isinstance(route, PypiRoute | RepoRoute | LocalRoute):
            folder = package_dir(route) if isinstance(route, PypiRoute) else route_dir(route)
            if folder is not None and reg.is_complete(entry, folder):
                _copy_folder(entry, folder, staging / "model")
                return staging / "model", f"{route.type}:{folder}", False
    for route in entry.routes:
        if isinstance(route, UrlRoute):
            folder, matched = _download(entry, route, staging, progress)
            return folder, route.url or route.base_url, matched
    for route in entry.routes:
        if isinstance(route, DerivedRoute):
            return _convert(reg, entry, route, staging), f"derived:{route.source}", False
    raise ModelError(f"no source for model '{entry.name}' on this machine; {install_hint(entry)}")


def _verify_staged(entry: ModelEntry, folder: Path) -> list[FileEntry]:
    """Hash everything staged and compare with the manifest; returns the hashes for the stamp."""
    found = checksums.hash_tree(folder, skip=[stamp.STAMP])
    problems = checksums.compare(found, entry.files)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ModelError(f"{entry.name}: {problems[0]}{more}; nothing was installed")
    if not found:
        raise ModelError(f"{entry.name}: the source holds no files; nothing was installed")
    return found


def install(name: str, from_path: Path | None = None, *, registry: Registry | None = None,
            force: bool = False, progress: bool = True) -> Installed:
    """Install model ``name`` into ``models_dir()/<name>`` (from ``from_path`` if given)."""
    reg = registry or Registry()
    entry = reg.entry(name)
    target = reg.installed_dir(name)
    if from_path is None and not force and reg.is_complete(entry, target):
        return Installed(target, (stamp.read(target) or {}).get("origin", "installed"), True)
    try:
        reg.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=reg.root))
    except OSError as e:
        raise ModelError(f"cannot write to the models folder {reg.root}: {e.strerror}") from None
    try:
        if from_path is not None:
            folder, matched = _from_path(entry, from_path, staging)
            origin = f"file:{from_path}"
        else:
            folder, origin, matched = _fetch(reg, entry, staging, progress)
        files = _verify_staged(entry, folder)
        stamp.write(folder, name, origin, files)
        replace_dir(folder, target)
    except OSError as e:
        raise ModelError(f"installing {name} failed: {e}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Installed(target, origin, False, unverified=not (matched or _fully_hashed(entry)))
