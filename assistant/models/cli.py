"""``assistant models list | install NAME [--from FILE] | verify [NAME] | path NAME``."""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.models.registry import Registry


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("models", help="list, install, verify and locate models", parents=[common])
    msub = p.add_subparsers(dest="models_action", metavar="ACTION", required=True)
    msub.add_parser("list", help="every model in the manifest and where it is found",
                    parents=[common]).set_defaults(func=run_list)
    pi = msub.add_parser("install", help="install a model (verified) into the models folder",
                         parents=[common])
    pi.add_argument("name")
    pi.add_argument("--from", dest="from_path", metavar="FILE",
                    help="a local file, folder or archive (zip, tar.gz) instead of the routes")
    pi.add_argument("--force", action="store_true", help="reinstall even if already installed")
    pi.set_defaults(func=run_install)
    pv = msub.add_parser("verify", help="re-hash model files: OK / MISMATCH / MISSING",
                         parents=[common])
    pv.add_argument("name", nargs="?")
    pv.set_defaults(func=run_verify)
    pp = msub.add_parser("path", help="print where a model is found", parents=[common])
    pp.add_argument("name")
    pp.set_defaults(func=run_path)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size else "-"


def run_list(args: argparse.Namespace) -> int:
    reg = Registry()
    print(f"{'NAME':30} {'KIND':9} {'LANG':6} {'SIZE':>9}  {'LICENSE':13} WHERE")
    for name, e in reg.manifest.models.items():
        loc = reg.find(name)
        where = loc.origin if loc else "not installed"
        print(f"{name:30} {e.kind:9} {e.language:6} {_mb(e.size):>9}  {e.license:13} {where}")
    return 0


def run_install(args: argparse.Namespace) -> int:
    import sys

    from assistant.models.install import install

    result = install(args.name, Path(args.from_path) if args.from_path else None,
                     force=args.force, progress=sys.stderr.isatty())
    if result.already:
        print(f"{args.name} is already installed at {result.path} (use --force to reinstall)")
        return 0
    if result.unverified:
        print(f"warning: the manifest records no checksum for {args.name}; "
              "installed without verification", file=sys.stderr)
    print(f"installed {args.name} at {result.path} (from {result.origin})")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from assistant.models.verify import verify

    verdicts = verify([args.name] if args.name else None)
    for v in verdicts:
        where = f"{v.folder} ({v.origin})" if v.folder else "not installed"
        note = f"  [{v.note}]" if v.note else ""
        print(f"{v.status:8} {v.name:30} {where}{note}")
        for p in v.problems:
            print(f"         {p}")
    bad = [v for v in verdicts if v.status == "MISMATCH" or (args.name and v.status != "OK")
           or (v.status == "MISSING" and v.folder is not None)]
    return 1 if bad else 0


def run_path(args: argparse.Namespace) -> int:
    print(Registry().locate(args.name))
    return 0
