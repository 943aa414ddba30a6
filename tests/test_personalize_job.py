"""The job's bookkeeping with stand-in steps: resume after a crash, refusal, report, lock."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Config
from assistant.errors import HearthError
from assistant.household import versions
from assistant.store import Store
from personalize import job
from personalize.context import Context, Step, StepResult
from personalize.steps import STEPS


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))
    return tmp_path


class Crash(Exception):
    pass


def steps(calls: list[str], crash_at: str | None = None, refuse: bool = False) -> list[Step]:
    def make(name: str):  # noqa: ANN202
        def step(ctx: Context) -> StepResult:
            calls.append(name)
            if name == crash_at:
                raise Crash(name)
            if name == "evaluate" and refuse:
                return StepResult(stop=True, result="kept",
                                  reason="base accuracy would drop 2.0 points")
            if name == "export":
                out = ctx.work / "export"
                out.mkdir()
                (out / "heads.onnx").write_text(ctx.work.name)
            if name == "promote":
                return StepResult(version=versions.install(ctx.work / "export", {}, keep=3))
            return StepResult(details={"step": name})
        return step
    return [Step(s.name, make(s.name)) for s in STEPS]


def test_crash_then_resume_runs_only_the_rest(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    calls: list[str] = []
    with pytest.raises(Crash):
        job.run(Config(), store, steps(calls, crash_at="train"), progress=False)
    assert versions.live_version() is None  # nothing promoted
    assert job.status()["unfinished_run"] is not None
    calls.clear()
    report = job.run(Config(), store, steps(calls), progress=False)
    assert calls == ["train", "evaluate", "export", "promote"]
    assert report["result"] == "promoted" and report["version"] == 1
    assert versions.live_version() == 1
    assert job.status()["unfinished_run"] is None
    assert job.status()["last_run"]["result"] == "promoted"
    assert not (tmp_path / "personalize" / "work").exists()


def test_refusal_keeps_the_live_model_and_says_why(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    job.run(Config(), store, steps([]), progress=False)
    calls: list[str] = []
    report = job.run(Config(), store, steps(calls, refuse=True), progress=False)
    assert "export" not in calls
    assert report["result"] == "kept" and "base accuracy" in report["reason"]
    assert versions.live_version() == 1


def test_rollback_between_crash_and_rerun_starts_over(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    job.run(Config(), store, steps([]), progress=False)
    with pytest.raises(Crash):
        job.run(Config(), store, steps([], crash_at="evaluate"), progress=False)
    versions.rollback()
    calls: list[str] = []
    job.run(Config(), store, steps(calls), progress=False)
    assert calls[0] == "dataset"  # the half-done run was trained on the old live model


def test_one_run_at_a_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")

    def nested(ctx: Context) -> StepResult:
        job.run(Config(), store, steps([]), progress=False)
        return StepResult()

    s = steps([])
    s[0] = Step("dataset", nested)
    with pytest.raises(HearthError, match="already running"):
        job.run(Config(), store, s, progress=False)
