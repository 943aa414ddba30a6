"""``assistant models verify``: re-hash a model's files wherever ``locate`` finds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.models import checksums
from assistant.models.registry import Location, Registry, expected_files


@dataclass(frozen=True)
class Verdict:
    """``status`` is OK, MISMATCH or MISSING; ``problems`` name the files concerned."""

    name: str
    status: str
    folder: Path | None
    origin: str = ""
    problems: list[checksums.Problem] = field(default_factory=list)
    note: str = ""


def verify_model(reg: Registry, name: str) -> Verdict:
    """Hash the installed copy, else the one ``locate`` finds; absent is MISSING, not an error."""
    entry = reg.entry(name)
    target = reg.installed_dir(name)
    # An installed copy is what locate prefers, so a broken one is reported, not skipped over.
    loc = Location(target, "installed") if target.is_dir() else reg.find(name)
    if loc is None:
        return Verdict(name, "MISSING", None)
    files = expected_files(entry, loc.folder)
    if files is None:
        return Verdict(name, "OK", loc.folder, loc.origin, note="no checksums recorded")
    problems = checksums.check_files(loc.folder, files, deep=True)
    status = "OK"
    if problems:
        status = "MISMATCH" if any(p.kind == "MISMATCH" for p in problems) else "MISSING"
    unhashed = not any(f.sha256 for f in files)
    return Verdict(name, status, loc.folder, loc.origin, problems,
                   note="sizes only, no sha256 recorded" if unhashed else "")


def verify(names: list[str] | None = None, registry: Registry | None = None) -> list[Verdict]:
    reg = registry or Registry()
    return [verify_model(reg, n) for n in (names or list(reg.manifest.models))]
