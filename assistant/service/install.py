"""Install or remove the units: write files, create the ``hearth`` user, tell systemd.

Each step that needs root or a running systemd is skipped with one line saying so, so the same
command works in a container, in a chroot building an image, and on the device itself.
"""

from __future__ import annotations

import grp
import os
import pwd
import subprocess
from collections.abc import Callable
from pathlib import Path

from assistant.errors import HearthError
from assistant.files import write_atomic
from assistant.service.units import ENABLE, UNITS, WYOMING_UNIT

SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
USER = "hearth"
AUDIO_GROUP = "audio"
HOME = "/var/lib/hearth"  # = StateDirectory=hearth


def run_command(cmd: list[str]) -> None:
    """Run ``cmd``; a failure becomes one line with its last error output."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise HearthError(f"`{' '.join(cmd)}` could not run: {e}") from None
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise HearthError(f"`{' '.join(cmd)}` failed: {lines[-1] if lines else f'exit {done.returncode}'}")


def systemd_running() -> bool:
    """sd_booted(): systemd is PID 1 exactly when this folder exists."""
    return Path("/run/systemd/system").is_dir()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_members(name: str) -> list[str] | None:
    try:
        return list(grp.getgrnam(name).gr_mem)
    except KeyError:
        return None


class Installer:
    """The install/uninstall steps; ``dry_run`` only says what it would do."""

    def __init__(
        self,
        unit_dir: Path = SYSTEM_UNIT_DIR,
        *,
        system_dir: Path = SYSTEM_UNIT_DIR,
        dry_run: bool = False,
        say: Callable[[str], None] = print,
        run: Callable[[list[str]], None] = run_command,
        is_root: bool | None = None,
        systemd: bool | None = None,
        user_exists: Callable[[str], bool] = _user_exists,
        group_members: Callable[[str], list[str] | None] = _group_members,
    ) -> None:
        self.unit_dir = unit_dir
        self.system_dir = system_dir  # the folder systemd reads (a parameter for tests)
        self.dry_run = dry_run
        self.say = say
        self._run = run
        self.is_root = os.geteuid() == 0 if is_root is None else is_root
        self.systemd = systemd_running() if systemd is None else systemd
        self.user_exists = user_exists
        self.group_members = group_members

    def _do(self, cmd: list[str]) -> None:
        self.say(("would run: " if self.dry_run else "running: ") + " ".join(cmd))
        if not self.dry_run:
            self._run(cmd)

    def _can_manage(self, what: str) -> bool:
        """systemctl only makes sense with systemd running and our units in its folder."""
        if self.unit_dir != self.system_dir:
            self.say(f"units are in {self.unit_dir}, not {self.system_dir}: not {what}")
            return False
        if not self.systemd:
            self.say(f"systemd is not running here (not PID 1): skipped {what}")
            return False
        return True

    def write_units(self, units: dict[str, str]) -> None:
        for name, text in units.items():
            path = self.unit_dir / name
            if self.dry_run:
                self.say(f"would write {path}:\n{text}")
                continue
            write_atomic(path, text, mode=0o644)
            self.say(f"wrote {path}")

    def ensure_user(self) -> None:
        """A system user ``hearth`` in group ``audio`` (the unit also adds audio itself)."""
        members = self.group_members(AUDIO_GROUP)
        if members is None:
            self.say(f"warning: there is no '{AUDIO_GROUP}' group; the service will not start "
                     "until there is one (install alsa-utils or: groupadd --system audio)")
        exists = self.user_exists(USER)
        if not self.is_root and not self.dry_run:
            if not exists:
                self.say(f"not root: skipped creating the system user '{USER}' (run with sudo)")
            return
        if not exists:
            cmd = ["useradd", "--system", "--user-group", "--home-dir", HOME, "--no-create-home",
                   "--shell", "/usr/sbin/nologin", "--comment", "Hearth voice assistant"]
            if members is not None:
                cmd += ["--groups", AUDIO_GROUP]
            self._do(cmd + [USER])
        elif members is not None and USER not in members:
            self._do(["usermod", "--append", "--groups", AUDIO_GROUP, USER])

    def install(self, units: dict[str, str], enable: tuple[str, ...] = ENABLE) -> None:
        missing = set(UNITS) - set(units)
        if missing:
            raise HearthError(f"cannot install: no rendered unit for {', '.join(sorted(missing))}")
        if self.unit_dir == self.system_dir and not self.is_root and not self.dry_run:
            raise HearthError(f"installing into {self.system_dir} needs root; run it with sudo "
                              "(or use --unit-dir DIR / --dry-run)")
        self.write_units(units)
        self.ensure_user()
        if self._can_manage("daemon-reload and enable"):
            self._do(["systemctl", "daemon-reload"])
            self._do(["systemctl", "enable", "--now", *enable])
        if WYOMING_UNIT in units and WYOMING_UNIT not in enable:
            self.say(f"{WYOMING_UNIT} (Home Assistant) is written but not enabled; "
                     "`assistant service install --wyoming` enables it")
        self.say("done: `assistant status` shows what the service is doing")

    def uninstall(self) -> None:
        present = [name for name in UNITS if (self.unit_dir / name).exists()]
        if not present:
            self.say(f"no Hearth units in {self.unit_dir}; nothing to remove")
            return
        if self.unit_dir == self.system_dir and not self.is_root and not self.dry_run:
            raise HearthError(f"removing units from {self.system_dir} needs root; run it with sudo")
        if self._can_manage("disable and daemon-reload"):
            self._do(["systemctl", "disable", "--now", *(n for n in UNITS if n in present)])
        for name in present:
            path = self.unit_dir / name
            if self.dry_run:
                self.say(f"would remove {path}")
            else:
                path.unlink()
                self.say(f"removed {path}")
        if self.unit_dir == self.system_dir and self.systemd:
            self._do(["systemctl", "daemon-reload"])
        self.say(f"kept the user '{USER}' and its data ({HOME}, /var/cache/hearth, /etc/hearth); "
                 f"remove them with: userdel {USER}; rm -r {HOME} /var/cache/hearth /etc/hearth")
