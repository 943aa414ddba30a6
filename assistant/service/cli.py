"""``assistant service install | uninstall`` and ``assistant status``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.service.install import SYSTEM_UNIT_DIR, Installer


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("service", help="install or remove the systemd service", parents=[common])
    p.add_argument("action", choices=["install", "uninstall"])
    p.add_argument("--dry-run", action="store_true", help="only print what would be done")
    p.add_argument("--unit-dir", type=Path, default=SYSTEM_UNIT_DIR, metavar="DIR",
                   help=f"where the unit files go (default {SYSTEM_UNIT_DIR})")
    p.add_argument("--exec", dest="executable", type=Path, metavar="PATH",
                   help="the assistant executable the service runs (default: this venv's)")
    p.add_argument("--models-dir", type=Path, metavar="DIR",
                   help="installed models the service uses (default: this user's, if any)")
    p.add_argument("--wyoming", action="store_true",
                   help="also enable hearth-wyoming.service, the server for Home Assistant "
                        "(its address and subnets: --wyoming-uri, --wyoming-allow-subnets)")
    p.set_defaults(func=cmd_service)

    p = sub.add_parser("status", help="what the running assistant is doing", parents=[common])
    p.add_argument("--json", action="store_true", help="print the raw status as JSON")
    p.set_defaults(func=cmd_status)


def cmd_service(args: argparse.Namespace) -> int:
    from assistant.config import from_args
    from assistant.service import units

    installer = Installer(args.unit_dir, dry_run=args.dry_run)
    if args.action == "uninstall":
        installer.uninstall()
        return 0
    params = units.detect(args.executable, args.models_dir, from_args(args).wyoming)
    if params.models_dir is None:
        print("note: no installed models found here; the service uses /var/lib/hearth/models "
              "and the models its Python packages ship")
    if params.read_only:
        print("note: Python lives under a home folder; the units hide homes and bind back "
              "read-only: " + " ".join(map(str, params.read_only)))
    for folder in params.closed:
        print(f"warning: {folder} is closed to other users (no o+x); the 'hearth' user cannot "
              "run Python from there: chmod o+x it or install under /opt")
    enable = units.ENABLE + ((units.WYOMING_UNIT,) if args.wyoming else ())
    installer.install(units.render(params), enable)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from assistant.config import from_args
    from assistant.service.report import describe, find_status

    cfg = from_args(args)
    source, snap = find_status(cfg.service.status_socket)
    if args.json:
        print(json.dumps({"source": source, "status": snap}, indent=2, default=str))
    else:
        print(describe(source, snap))
    return 0 if source == "socket" else 3  # 3 = "not running", as `systemctl status` says
