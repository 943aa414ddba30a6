"""The job's steps, in the order they run (``STEPS``). Each reads what earlier steps left in the
work folder and writes its own, and returns a ``StepResult`` for the state file."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.events import Understanding
from assistant.files import read_json, write_json
from assistant.history.store import turns
from assistant.household import versions
from assistant.household.words import load as load_household
from personalize import dataset, model, words
from personalize.blend import blend
from personalize.context import MIN_NEW_EXAMPLES, Context, Step, StepResult

log = logging.getLogger(__name__)

DATASET = "dataset.json"
TUNED = "tuned"
CANDIDATE = "candidate"
EXPORT = "export"


def _base() -> model.BaseData:
    return model.load_base()


def _training_set(ctx: Context) -> dataset.TrainingSet:
    return dataset.TrainingSet.from_json(read_json(ctx.work / DATASET))


def _lazy_parse(folder: Path) -> Callable[[str], Understanding]:
    """The start model's parse, loaded only if a correction needs reading."""
    loaded: list[Any] = []

    def parse(text: str) -> Understanding:
        if not loaded:
            loaded.append(model.load_understander(folder))
        return loaded[0].parse(text)

    return parse


def asr_vocabulary() -> set[str]:
    """Words the command language model already has: only the others need adding."""
    from assistant.asr.corpus import corpus

    return {w for sentence in corpus() for w in sentence.split()}


def step_dataset(ctx: Context) -> StepResult:
    """History -> labelled examples and household words."""
    ts = dataset.build(turns(ctx.store), parse=_lazy_parse(ctx.start_model))
    write_json(ctx.work / DATASET, ts.to_json())
    learned = words.collect(ts.all, asr_vocabulary())
    learned.save(ctx.work / versions.HOUSEHOLD)
    new = sum(e.source != dataset.POSITIVE for e in ts.train)
    out = StepResult(counts=ts.counts, details={"new_examples": new,
                                                "household_words": len(learned.extra_words)})
    if new < MIN_NEW_EXAMPLES:
        out.stop, out.result = True, "skipped"
        out.reason = (f"nothing new to learn: {new} corrected or rephrased utterances "
                      f"(need {MIN_NEW_EXAMPLES})")
    return out


def _export_whole(trained: Any, folder: Path) -> None:
    """Export into ``folder`` so that it exists complete or not at all."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.export(trained, tmp)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


def step_train(ctx: Context) -> StepResult:
    """Fine-tune the live model's top layers on household examples plus replay."""
    ts = _training_set(ctx)
    tuned = model.fine_tune(ctx.start_model, ts.train, _base(), ctx.progress)
    _export_whole(tuned, ctx.work / TUNED)
    return StepResult(details={"user_examples": len(ts.train),
                               "trained_from_layer": model.TRAIN_FROM})


def decide(metrics: dict[str, dict[str, float]], max_base_drop: float) -> tuple[bool, str]:
    """Promote only if the household gains and the base test set loses at most the limit.

    Gaining means a better held-out household score, intent or whole frame, with neither worse.
    """
    live, new = metrics["household_live"], metrics["household_new"]
    if not live.get("n"):
        return False, "no held-out household utterances to judge the new model by"
    gains = {k: 100 * (new[k] - live[k]) for k in ("accuracy", "frame_accuracy")}
    drop = 100 * (metrics["base_reference"]["accuracy"] - metrics["base_new"]["accuracy"])
    said = (f"household intent {100 * live['accuracy']:.1f}% -> {100 * new['accuracy']:.1f}%, "
            f"with slots {100 * live['frame_accuracy']:.1f}% -> {100 * new['frame_accuracy']:.1f}%")
    problems = []
    if drop > max_base_drop:
        problems.append(f"base test accuracy would drop {drop:.2f} points (limit {max_base_drop})")
    if min(gains.values()) < 0 or max(gains.values()) <= 0:
        problems.append("household accuracy did not improve")
    if problems:
        return False, "; ".join(problems) + f" ({said})"
    return True, f"{said}; base test {-drop:+.2f} points"


def _household_of(folder: Path) -> Path | None:
    f = folder / versions.HOUSEHOLD
    return f if f.exists() else None


def step_evaluate(ctx: Context) -> StepResult:
    """Live vs candidate on the base test set and held-out household utterances.

    Candidates are blends of the live and fine-tuned models (``model.BLENDS``), most personalized
    first; the first that passes :func:`decide` becomes the candidate. Each is judged as
    exported (int8), i.e. exactly as it would run.
    """
    base, ts = _base(), _training_set(ctx)
    said = {e.text for e in ts.train}  # the base test never counts what the household taught
    test = [e for e in base.test if e.text not in said]
    live = model.load_trained(ctx.start_model)
    tuned = model.load_trained(ctx.work / TUNED)
    words_new = load_household(ctx.work / versions.HOUSEHOLD)
    fixed = {
        "base_live": model.evaluate(ctx.start_model, test),
        "household_live": model.household_accuracy(
            ctx.start_model, ts.holdout, load_household(_household_of(ctx.start_model))),
    }
    # Drift is measured against the shipped model, so nights cannot add up small losses.
    shipped = versions.shipped_model_dir()
    fixed["base_reference"] = (fixed["base_live"] if ctx.start_model == shipped
                               else model.evaluate(shipped, test))
    tried: list[dict[str, Any]] = []
    first_metrics: dict[str, Any] = {}
    for alpha in model.BLENDS:
        folder = ctx.work / f"blend-{alpha}"
        _export_whole(blend(live, tuned, alpha), folder)
        metrics = {**fixed, "base_new": model.evaluate(folder, test),
                   "household_new": model.household_accuracy(folder, ts.holdout, words_new)}
        ok, reason = decide(metrics, ctx.cfg.personalize.max_base_drop)
        tried.append({"blend": alpha, "promote": ok, "reason": reason})
        first_metrics = first_metrics or metrics
        if ok:
            shutil.rmtree(ctx.work / CANDIDATE, ignore_errors=True)
            folder.rename(ctx.work / CANDIDATE)
            return StepResult(metrics=metrics, reason=reason,
                              details={"blend": alpha, "promote": True, "tried": tried})
        shutil.rmtree(folder, ignore_errors=True)
    return StepResult(stop=True, result="kept", metrics=first_metrics,
                      details={"promote": False, "tried": tried},
                      reason=tried[0]["reason"] + (
                          f"; the blends {', '.join(str(t['blend']) for t in tried[1:])} did not "
                          "pass either" if len(tried) > 1 else ""))


def step_export(ctx: Context) -> StepResult:
    """The candidate model plus household words, as one complete model folder."""
    out = ctx.work / EXPORT
    if not out.exists():
        shutil.copy2(ctx.work / versions.HOUSEHOLD, ctx.work / CANDIDATE / versions.HOUSEHOLD)
        (ctx.work / CANDIDATE).rename(out)
    return StepResult(details={"files": sorted(p.name for p in out.iterdir())})


def step_promote(ctx: Context) -> StepResult:
    """Move the folder in as the next version and switch ``live`` to it (atomic)."""
    run_id = ctx.work.name
    for v in versions.list_versions():  # a crash after the move: just finish the switch
        if versions.read_meta(v).get("run_id") == run_id:
            if versions.live_version() != v:
                versions.point_live(v)
            return StepResult(version=v)
    meta = {
        "run_id": run_id, "created": datetime.now().isoformat(timespec="seconds"),
        "base_model": str(ctx.start_model),
        "counts": ctx.results["dataset"].counts,
        "metrics": ctx.results["evaluate"].metrics,
    }
    v = versions.install(ctx.work / EXPORT, meta, keep=ctx.cfg.personalize.keep_versions)
    return StepResult(version=v)


STEPS = (Step("dataset", step_dataset), Step("train", step_train),
         Step("evaluate", step_evaluate), Step("export", step_export),
         Step("promote", step_promote))
