"""The models manifest (``models/manifest.toml``) parsed into checked dataclasses.

One file names every model Hearth can use, what it is, how big it is, the sha256 of each of its
files and the routes by which it can be had. A typo or a missing key is reported as one line
naming the model and the key, so a broken manifest never half-works.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.errors import ModelError

KINDS = ("asr", "wake", "vad", "tts", "encoder", "tokenizer", "llm", "nlu")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class FileEntry:
    """One file of a model, relative to the model folder; ``sha256`` None = not reproducible."""

    path: str
    size: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class PypiRoute:
    """Files shipped inside a (data-only) PyPI package, found without importing it."""

    package: str
    module: str
    path: str = ""  # folder inside the package that holds the model files
    version: str = ""
    type: str = "pypi"


@dataclass(frozen=True)
class UrlRoute:
    """A download: one archive (``url`` + checksum) or one request per file (``base_url``)."""

    url: str = ""
    base_url: str = ""
    sha256: str | None = None  # of the archive
    size: int | None = None
    type: str = "url"


@dataclass(frozen=True)
class LocalRoute:
    """A folder already on this machine (for example a distribution package)."""

    path: str
    type: str = "local"


@dataclass(frozen=True)
class DerivedRoute:
    """Built at install time from another model by ``converter`` ("module:function")."""

    source: str
    converter: str
    type: str = "derived"


@dataclass(frozen=True)
class RepoRoute:
    """Trained in this repository; the files live under ``models/<path>``."""

    path: str
    type: str = "repo"


Route = PypiRoute | UrlRoute | LocalRoute | DerivedRoute | RepoRoute


@dataclass(frozen=True)
class ModelEntry:
    name: str
    kind: str
    language: str
    license: str
    size: int  # bytes of all files (or of the archive when files are unknown); 0 = not built yet
    description: str
    files: tuple[FileEntry, ...]
    routes: tuple[Route, ...]
    entry: str = ""  # what locate() returns, relative to the model folder; "" = the folder

    def route(self, kind: type[Route]) -> Route | None:
        """The first route of one type, if any."""
        return next((r for r in self.routes if isinstance(r, kind)), None)


@dataclass(frozen=True)
class Manifest:
    path: Path
    models: dict[str, ModelEntry]

    def get(self, name: str) -> ModelEntry:
        """The entry for ``name``; an unknown name is one line listing the known ones."""
        if name not in self.models:
            known = ", ".join(sorted(self.models))
            raise ModelError(f"unknown model '{name}' (known: {known})")
        return self.models[name]


def default_path() -> Path:
    """``models/manifest.toml``; HEARTH_MODELS_MANIFEST points elsewhere (custom models, tests)."""
    override = os.environ.get("HEARTH_MODELS_MANIFEST")
    return Path(override) if override else paths.REPO_MODELS / "manifest.toml"


class _Checker:
    """Reads typed keys out of one TOML table, failing with the model and key in the message."""

    def __init__(self, where: str, table: dict[str, Any]):
        self.where, self.table = where, table

    def fail(self, msg: str) -> ModelError:
        return ModelError(f"{self.where}: {msg}")

    def get(self, key: str, typ: type, default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise self.fail(f"missing key '{key}'")
            return default
        value = self.table[key]
        if typ is int and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise self.fail(f"'{key}' must be a whole number of bytes, got {value!r}")
        if not isinstance(value, typ):
            raise self.fail(f"'{key}' must be {typ.__name__}, got {value!r}")
        return value

    def sha(self, key: str) -> str | None:
        value = self.get(key, str, None)
        if value is not None and not _SHA256.match(value):
            raise self.fail(f"'{key}' must be 64 lowercase hex digits, got {value!r}")
        return value

    def only(self, allowed: set[str]) -> None:
        extra = set(self.table) - allowed
        if extra:
            raise self.fail(f"unknown key(s) {', '.join(sorted(extra))}")


def _relative(c: _Checker, value: str) -> str:
    p = Path(value)
    if p.is_absolute() or ".." in p.parts:
        raise c.fail(f"path '{value}' must be relative and stay inside the model folder")
    return p.as_posix() if value else ""


def _file(where: str, raw: Any) -> FileEntry:
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: each file must be a table {{ path = ..., sha256 = ... }}")
    c = _Checker(where, raw)
    c.only({"path", "size", "sha256"})
    return FileEntry(_relative(c, c.get("path", str)), c.get("size", int, None), c.sha("sha256"))


def _route(where: str, raw: Any) -> Route:
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: each route must be a table {{ type = ..., ... }}")
    c = _Checker(where, raw)
    kind = c.get("type", str)
    if kind == "pypi":
        c.only({"type", "package", "module", "path", "version"})
        package = c.get("package", str)
        return PypiRoute(package, c.get("module", str, package.replace("-", "_")),
                         _relative(c, c.get("path", str, "")), c.get("version", str, ""))
    if kind == "url":
        c.only({"type", "url", "base_url", "sha256", "size"})
        route = UrlRoute(c.get("url", str, ""), c.get("base_url", str, ""), c.sha("sha256"),
                         c.get("size", int, None))
        if bool(route.url) == bool(route.base_url):
            raise c.fail("a url route needs exactly one of 'url' (archive) or 'base_url'")
        return route
    if kind == "local":
        c.only({"type", "path"})
        return LocalRoute(c.get("path", str))
    if kind == "derived":
        c.only({"type", "source", "converter"})
        converter = c.get("converter", str)
        if not re.match(r"^[\w.]+:\w+$", converter):
            raise c.fail(f"converter must look like 'package.module:function', got {converter!r}")
        return DerivedRoute(c.get("source", str), converter)
    if kind == "repo":
        c.only({"type", "path"})
        return RepoRoute(_relative(c, c.get("path", str)))
    raise c.fail(f"unknown route type {kind!r} (known: pypi, url, local, derived, repo)")


def _model(source: Path, name: str, raw: Any) -> ModelEntry:
    where = f"{source.name}: model '{name}'"
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: must be a [models.\"{name}\"] table")
    c = _Checker(where, raw)
    c.only({"kind", "language", "license", "size", "description", "files", "routes", "entry"})
    kind = c.get("kind", str)
    if kind not in KINDS:
        raise c.fail(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    files = tuple(_file(f"{where} file", f) for f in c.get("files", list, []))
    routes = tuple(_route(f"{where} route", r) for r in c.get("routes", list))
    if not routes:
        raise c.fail("needs at least one route")
    size = c.get("size", int)
    if files and all(f.size is not None for f in files):
        total = sum(f.size or 0 for f in files)
        if size != total:
            raise c.fail(f"size {size} is not the sum of its file sizes ({total})")
    default_entry = files[0].path if len(files) == 1 else ""
    return ModelEntry(name, kind, c.get("language", str), c.get("license", str), size,
                      c.get("description", str), files, routes,
                      _relative(c, c.get("entry", str, default_entry)))


def parse(text: str, source: Path) -> Manifest:
    """Parse manifest text; ``source`` is only used in messages and for relative paths."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ModelError(f"{source} is not valid TOML: {e}") from None
    models = data.get("models")
    if not isinstance(models, dict):
        raise ModelError(f"{source}: no [models.NAME] tables found")
    entries = {name: _model(source, name, raw) for name, raw in models.items()}
    for entry in entries.values():
        derived = entry.route(DerivedRoute)
        if isinstance(derived, DerivedRoute) and derived.source not in entries:
            raise ModelError(f"{source.name}: model '{entry.name}' is derived from unknown "
                             f"model '{derived.source}'")
    return Manifest(source, entries)


@functools.lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> Manifest:
    return parse(path.read_text(encoding="utf-8"), path)


def load(path: Path | None = None) -> Manifest:
    """Load and check the manifest (cached until the file changes)."""
    path = (path or default_path()).resolve()
    try:
        return _load_cached(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise ModelError(f"models manifest not found: {path}") from None
