"""``python -m personalize [run | rollback | status]``: the nightly job without the assistant CLI."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from assistant import config as config_mod
from assistant.config import Config
from assistant.errors import HearthError


def _describe_run(r: dict[str, Any]) -> list[str]:
    lines = [f"result: {r['result']}" + (f" (version {r['version']})" if r.get("version") else "")]
    if r.get("reason"):
        lines.append(f"why: {r['reason']}")
    c = r.get("counts") or {}
    if c:
        lines.append("training set: " + ", ".join(f"{k} {v}" for k, v in c.items()))
    for name, m in (r.get("metrics") or {}).items():
        lines.append(f"{name}: " + ", ".join(
            f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in m.items()))
    lines.append(f"took {r.get('seconds', 0)} s, finished {r.get('finished_at', '?')}")
    return lines


def act(action: str, cfg: Config, *, as_json: bool = False, progress: bool = True,
        out: Callable[[str], Any] = print, dumps: Callable[..., str] = json.dumps) -> int:
    """Do ``action`` and print the outcome; returns the exit code."""
    from assistant.household import versions
    from personalize import job

    if action == "run":
        if not cfg.personalize.enabled:
            out("personalization is switched off (personalize.enabled = false)")
            return 0
        from assistant.store import Store

        job.lower_priority()
        report = job.run(cfg, Store(), progress=progress)
        out(dumps(report, indent=2) if as_json else "\n".join(_describe_run(report)))
        return 0
    if action == "rollback":
        target = versions.rollback()
        out(f"live model is now {'version ' + str(target) if target else 'the shipped model'}; "
            "the assistant picks it up on reload (SIGHUP)")
        return 0
    st = job.status()
    if as_json:
        out(dumps(st, indent=2))
        return 0
    live = st["live_version"]
    out(f"live model: {'version ' + str(live) if live else 'shipped'} ({st['model']})")
    out(f"versions kept: {', '.join(map(str, st['versions'])) or 'none'}")
    if st["unfinished_run"]:
        out(f"unfinished run {st['unfinished_run']}: `personalize run` resumes it")
    out("last run: " + ("none" if not st["last_run"] else ""))
    for line in _describe_run(st["last_run"]) if st["last_run"] else []:
        out("  " + line)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m personalize", description=__doc__)
    p.add_argument("action", choices=["run", "rollback", "status"], nargs="?", default="run")
    p.add_argument("--config", help="config file")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    try:
        from pathlib import Path

        cfg = config_mod.load(Path(args.config) if args.config else None)
        return act(args.action, cfg, as_json=args.json, progress=not args.quiet)
    except HearthError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
