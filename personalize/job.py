"""The nightly job as resumable steps: dataset -> train -> evaluate -> export -> promote.

Every step writes its output under ``data_dir()/personalize/work`` and is then ticked off in
``state.json`` (written atomically), so a killed run resumes where it stopped. Nothing touches
the live model until the last step, which moves a complete folder in and swaps one symlink:
a crash or ``kill -9`` at any moment leaves the live model exactly as it was.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant import paths
from assistant.config import Config
from assistant.errors import HearthError
from assistant.files import read_json, write_json
from assistant.household import versions
from assistant.store import Store
from personalize.context import Context, Step, StepResult

log = logging.getLogger(__name__)

LAST_RUN = "personalize-last-run.json"  # read by `assistant status` (service room)


def job_dir() -> Path:
    return paths.data_dir() / "personalize"


def state_file() -> Path:
    return job_dir() / "state.json"


def last_run_file() -> Path:
    return paths.data_dir() / LAST_RUN


@contextmanager
def _locked() -> Iterator[None]:
    """One run at a time (the timer and a person typing ``personalize run``)."""
    job_dir().mkdir(parents=True, exist_ok=True)
    with open(job_dir() / "lock", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HearthError("personalization is already running") from None
        yield


def lower_priority() -> None:
    """Run niced so the assistant stays responsive (the unit may forbid it: fine)."""
    try:
        os.nice(10)
    except OSError as e:
        log.debug("os.nice: %s", e)


def _fresh_state(start_model: Path) -> dict[str, Any]:
    run_id = datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    return {"run_id": run_id, "started_at": datetime.now().isoformat(timespec="seconds"),
            "start_model": str(start_model), "done": [], "results": {}}


def run(cfg: Config, store: Store, steps: Sequence[Step] | None = None,
        progress: bool = True) -> dict[str, Any]:
    """Run (or resume) the job; returns the report also written to ``last_run_file()``.
    ``steps`` defaults to the real ones (``personalize.steps.STEPS``), in their order."""
    if steps is None:
        from personalize.steps import STEPS

        steps = STEPS
    with _locked():
        start_model = versions.current_model_dir()
        state = read_json(state_file())
        if state is None or state.get("start_model") != str(start_model):
            # no run to resume, or the live model changed (rollback) since: start over
            shutil.rmtree(job_dir() / "work", ignore_errors=True)
            state = _fresh_state(start_model)
            write_json(state_file(), state)
        elif state["done"]:
            log.info("resuming run %s after %s", state["run_id"], state["done"][-1])
        work = job_dir() / "work" / state["run_id"]
        work.mkdir(parents=True, exist_ok=True)
        results = {k: StepResult.from_json(v) for k, v in state["results"].items()}
        ctx = Context(cfg, store, work, start_model, progress, results)
        t0 = time.monotonic()
        for step in steps:
            if step.name in state["done"]:
                continue
            t = time.monotonic()
            result = step.run(ctx)
            result.seconds = round(time.monotonic() - t, 2)
            results[step.name] = result
            state["results"][step.name] = result.to_json()
            state["done"].append(step.name)
            write_json(state_file(), state)
            if result.stop:
                break
        report = _report(state["done"], results, state, round(time.monotonic() - t0, 1))
        write_json(last_run_file(), report)
        state_file().unlink(missing_ok=True)
        shutil.rmtree(job_dir() / "work", ignore_errors=True)
        return report


def _report(done: list[str], results: dict[str, StepResult], state: dict[str, Any],
            seconds: float) -> dict[str, Any]:
    """The run's outcome in the shape ``assistant status`` reads (result, reason, finished_at)."""
    none = StepResult()
    last = results[done[-1]] if done else none
    promoted = "promote" in done
    return {
        "result": "promoted" if promoted else last.result or "kept",
        "reason": results.get("evaluate", none).reason if promoted else last.reason,
        "finished_at": datetime.now().isoformat(timespec="seconds"),
        "started_at": state["started_at"],
        "run_id": state["run_id"],
        "version": results.get("promote", none).version,
        "counts": results.get("dataset", none).counts,
        "metrics": results.get("evaluate", none).metrics,
        "steps": {k: v.seconds for k, v in results.items()},
        "seconds": seconds,
    }


def status() -> dict[str, Any]:
    """The live version, the versions on disk, and the last run's report."""
    return {
        "live_version": versions.live_version(),
        "model": str(versions.current_model_dir()),
        "versions": versions.list_versions(),
        "unfinished_run": (read_json(state_file()) or {}).get("run_id"),
        "last_run": read_json(last_run_file()),
    }
