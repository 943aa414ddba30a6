"""Render the systemd unit templates in ``systemd/`` for this installation.

The templates name the ``assistant`` executable and a few paths as ``@NAME@``; they are filled in
from the Python environment running the install. A venv under /home or /root would be hidden by
``ProtectHome=yes``, so then the home folders become an empty tmpfs and only the folders the
service needs (venv, interpreter, source tree, models) are bound back in, read-only.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from assistant import paths
from assistant.config import WyomingConfig
from assistant.errors import HearthError

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "systemd"
MAIN_UNIT = "hearth.service"
JOB_UNIT = "hearth-personalize.service"
TIMER_UNIT = "hearth-personalize.timer"
WYOMING_UNIT = "hearth-wyoming.service"
UNITS = (MAIN_UNIT, JOB_UNIT, TIMER_UNIT, WYOMING_UNIT)
ENABLE = (MAIN_UNIT, TIMER_UNIT)  # the job is started by its timer; Wyoming when asked for
HOME_ROOTS = (Path("/home"), Path("/root"), Path("/run/user"))
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


@dataclass
class UnitParams:
    """What differs between installations."""

    assistant: Path  # absolute path of the venv's ``assistant`` executable
    models_dir: Path | None = None  # installed models to use; None = the service's own
    read_only: list[Path] = field(default_factory=list)  # under a home root, bound back in
    closed: list[Path] = field(default_factory=list)  # folders the service user cannot enter
    kill: str = "/bin/kill"
    systemctl: str = "/bin/systemctl"
    wyoming: WyomingConfig = field(default_factory=WyomingConfig)

    def values(self) -> dict[str, str]:
        return {
            **wyoming_values(self.wyoming),
            "ASSISTANT": _unit_path(self.assistant),
            "MODELS_DIR": _unit_path(self.models_dir) if self.models_dir else "",
            "PROTECT_HOME": "tmpfs" if self.read_only else "yes",
            "BIND_READ_ONLY": " ".join(_unit_path(p) for p in self.read_only),
            "KILL": self.kill,
            "SYSTEMCTL": self.systemctl,
        }


def _unit_path(p: Path | str) -> str:
    """A path as a unit file value: no whitespace (it separates list items), '%' escaped."""
    s = str(p)
    if any(c.isspace() for c in s):
        raise HearthError(f"path '{s}' contains spaces; systemd units need a path without them")
    return s.replace("%", "%%")


def wyoming_values(cfg: WyomingConfig) -> dict[str, str]:
    """The Wyoming unit's network: IP only to and from loopback and ``allow_subnets`` (plus
    multicast, and netlink to list the interfaces, when zeroconf announces the server)."""
    allow = ["localhost"]
    for subnet in cfg.allow_subnets:
        try:
            allow.append(str(ipaddress.ip_network(subnet, strict=False)))
        except ValueError:
            raise HearthError(f"wyoming.allow_subnets: '{subnet}' is not a subnet like "
                              "192.168.1.0/24") from None
    families = ["AF_UNIX", "AF_INET", "AF_INET6"]
    if cfg.zeroconf:
        allow.append("multicast")
        families.append("AF_NETLINK")
    return {"WYOMING_ARGS": " ".join(wyoming_args(cfg)), "IP_ALLOW": " ".join(allow),
            "ADDRESS_FAMILIES": " ".join(families)}


def wyoming_args(cfg: WyomingConfig) -> list[str]:
    """The server's address, and who may act on the household through it, as flags."""
    args = ["--uri", _unit_path(cfg.uri)]
    if cfg.remote_handle:
        args += ["--wyoming-remote-handle", "true"]
    if cfg.handle_clients:
        args += ["--wyoming-handle-clients", ",".join(_unit_path(c) for c in cfg.handle_clients)]
    if cfg.run_commands:
        args += ["--wyoming-run-commands", "true"]
    return args


def _under_home(p: Path) -> bool:
    return any(p.is_relative_to(root) for root in HOME_ROOTS)


def home_binds(needed: list[Path]) -> list[Path]:
    """The folders among ``needed`` (and their symlink targets) that lie under a home root,
    without ones already inside another: what ProtectHome=tmpfs must bind back in."""
    found: list[Path] = []
    for p in needed:
        for q in (p.absolute(), p.resolve()):  # a symlink's own path and its target both matter
            if _under_home(q) and q not in found:
                found.append(q)
    return sorted(p for p in found if not any(p != q and p.is_relative_to(q) for q in found))


def unreachable(needed: list[Path]) -> list[Path]:
    """Folders on the way to ``needed`` (outside homes, which are bound in) that other users
    may not enter: the ``hearth`` user could not start Python from there."""
    bad: list[Path] = []
    for p in needed:
        real = p.resolve()
        if _under_home(real):
            continue
        for d in [*reversed(real.parents), real]:
            try:
                mode = d.stat().st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH and d not in bad:
                bad.append(d)
    return bad


def default_executable() -> Path:
    """The ``assistant`` script of the running environment (the venv it was installed in)."""
    candidate = Path(sys.prefix) / "bin" / "assistant"
    if candidate.is_file():
        return candidate
    found = shutil.which("assistant")
    if found:
        return Path(found).absolute()
    raise HearthError("cannot find the 'assistant' executable; pass --exec PATH")


def detect(assistant: Path | None = None, models_dir: Path | None = None,
           wyoming: WyomingConfig | None = None) -> UnitParams:
    """Parameters for this machine: executable, models folder and home-folder binds; the
    Wyoming server's address and subnets as configured."""
    exe = (assistant or default_executable()).absolute()
    if not exe.is_file():
        raise HearthError(f"assistant executable {exe} does not exist")
    if models_dir is not None and not models_dir.is_dir():
        raise HearthError(f"models folder {models_dir} does not exist")
    models = models_dir if models_dir is not None else paths.models_dir()
    models = models.absolute() if models.is_dir() else None  # None: the service's own folder
    package_root = Path(__file__).resolve().parents[2]
    needed = [exe.parent.parent, Path(sys.prefix), Path(sys.base_prefix), package_root]
    if models is not None:
        needed.append(models)
    return UnitParams(
        assistant=exe,
        models_dir=models,
        read_only=home_binds(needed),
        closed=unreachable(needed),
        kill=shutil.which("kill") or "/bin/kill",
        systemctl=shutil.which("systemctl") or "/bin/systemctl",
        wyoming=wyoming or WyomingConfig(),
    )


def render_text(template: str, values: dict[str, str]) -> str:
    """Fill ``@NAME@``; a line whose placeholder renders empty is dropped (the setting is
    not needed here); an unknown placeholder is an error, never left in a unit."""
    out = []
    for line in template.splitlines():
        names = _PLACEHOLDER.findall(line)
        unknown = [n for n in names if n not in values]
        if unknown:
            raise HearthError(f"unit template has unknown placeholder @{unknown[0]}@")
        if any(values[n] == "" for n in names):
            continue
        out.append(_PLACEHOLDER.sub(lambda m: values[m.group(1)], line))
    return "\n".join(out) + "\n"


def render(params: UnitParams, template_dir: Path = TEMPLATE_DIR) -> dict[str, str]:
    """``{unit file name: content}`` for every unit."""
    values = params.values()
    units = {}
    for name in UNITS:
        path = template_dir / name
        try:
            units[name] = render_text(path.read_text(encoding="utf-8"), values)
        except FileNotFoundError:
            raise HearthError(f"unit template {path} is missing (is this a source checkout?)") from None
    return units
