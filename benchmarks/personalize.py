"""Does a night of personalization help a household without hurting everyone else?

A simulated household (``personalize.simulate``) talks to the real understanding model and the
real dialogue manager for a few days; its reactions ("no" + a standard rephrase, or "no, I
meant ...") go into the real history database; then the real nightly job runs. After each of
``--nights`` nights this prints the household's accuracy on held-out paraphrases it never said
and the accuracy on the base test set, and saves a plot.

    python benchmarks/personalize.py [--nights 3] [--days 3] [--requests 60]

Target: +10 points for the household after one night, base accuracy within 0.5 point.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
# Run as a script, this file's folder comes first on sys.path and its name would hide the
# ``personalize`` package: put the repository root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)


def household_accuracy(parse, heldout) -> dict[str, float]:  # noqa: ANN001 - callables
    """Intent accuracy and frame accuracy (intent + the slots a user checks) on held-out phrases."""
    from personalize.simulate import understood

    intent = frame = 0
    for u in heldout:
        got = parse(u.text)
        intent += got.intent == u.intent
        frame += understood(got, u)
    n = len(heldout)
    return {"intent": 100 * intent / n, "frame": 100 * frame / n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nights", type=int, default=3)
    ap.add_argument("--days", type=int, default=3, help="simulated days before each night")
    ap.add_argument("--requests", type=int, default=60, help="requests per day")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", metavar="DIR", help="use DIR as the data folder and keep it")
    args = ap.parse_args(argv)

    data = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hearth-bench-"))
    from assistant import paths

    # a scratch data dir for history and model versions, but the installed models where they are
    os.environ.setdefault("HEARTH_MODELS_DIR", str(paths.models_dir()))
    os.environ["HEARTH_DATA_DIR"] = str(data)
    os.environ.setdefault("HEARTH_CONFIG_DIR", str(data / "config"))

    from assistant.config import Config, HistoryConfig
    from assistant.history.store import HistoryRecorder
    from assistant.household.understander import HouseholdUnderstander
    from assistant.household.words import load
    from assistant.store import Store
    from personalize import job, model, simulate, versions

    cfg = Config()
    store = Store(data / "hearth.db")
    house = simulate.Household(seed=args.seed)
    recorder = HistoryRecorder(store, HistoryConfig(), clock=house.clock)
    heldout = simulate.heldout_utterances()

    def understander() -> HouseholdUnderstander:
        folder = versions.current_model_dir()
        return HouseholdUnderstander(model.load_understander(folder), load(versions.household_file()))

    def responder():  # noqa: ANN202 - the dialogue manager, or a stand-in without skills
        try:
            from assistant.dialogue.manager import DialogueManager
        except ImportError:
            return simulate.default_respond
        dm = DialogueManager(Store(data / "skills.db"),
                             clock=lambda: datetime.fromtimestamp(house.now), plugins=False)
        return dm.respond

    rows: list[dict[str, float]] = []
    t0 = time.monotonic()
    u = understander()
    base = model.base_accuracy(versions.current_model_dir())
    rows.append({"night": 0, **{f"household_{k}": v for k, v in household_accuracy(u.parse, heldout).items()},
                 "base": base})
    print(_row(rows[-1]), flush=True)
    respond = responder()
    for night in range(1, args.nights + 1):
        for _ in range(args.days):
            for turn in house.day(u.parse, respond, requests=args.requests):
                recorder.record(turn)
        report = job.run(cfg, store, progress=False)
        u = understander()  # what the service does on SIGHUP
        base = model.base_accuracy(versions.current_model_dir())
        acc = household_accuracy(u.parse, heldout)
        rows.append({"night": night, **{f"household_{k}": v for k, v in acc.items()}, "base": base,
                     "result": report["result"], "reason": report.get("reason", ""),
                     "counts": report.get("counts", {}), "job_seconds": report.get("seconds", 0)})
        print(_row(rows[-1]), flush=True)
    gain = rows[1]["household_frame"] - rows[0]["household_frame"] if len(rows) > 1 else 0.0
    drop = rows[0]["base"] - min(r["base"] for r in rows)
    print(f"\nafter one night: household {gain:+.1f} points (target >= +10), "
          f"base worst drop {drop:.2f} points (target <= 0.5); "
          f"simulated {house.stats}; {time.monotonic() - t0:.0f} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "personalize.json").write_text(json.dumps(rows, indent=2, default=str))
    _plot(rows, RESULTS / "personalize.png")
    print(f"saved {RESULTS / 'personalize.png'} and personalize.json")
    return 0 if gain >= 10 and drop <= 0.5 else 1


def _row(r: dict) -> str:
    extra = f"  {r['result']}: {r['reason']}" if "result" in r else ""
    return (f"night {r['night']}: household held-out frame {r['household_frame']:5.1f}%  "
            f"intent {r['household_intent']:5.1f}%  base test {r['base']:6.2f}%{extra}")


def _plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nights = [r["night"] for r in rows]
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    a.plot(nights, [r["household_frame"] for r in rows], "o-", label="intent + slots")
    a.plot(nights, [r["household_intent"] for r in rows], "s--", label="intent")
    for r in rows[1:]:
        a.annotate(r["result"], (r["night"], r["household_frame"]), textcoords="offset points",
                   xytext=(0, -16), ha="center", fontsize=8)
    a.set(title="Household: held-out paraphrases", xlabel="night", ylabel="accuracy %", ylim=(0, 105))
    a.set_xticks(nights)
    a.legend()
    b.plot(nights, [r["base"] for r in rows], "o-", color="C2")
    b.axhline(rows[0]["base"] - 0.5, color="C3", ls=":", label="allowed drop (0.5)")
    b.set(title="Base test set", xlabel="night", ylabel="intent accuracy %")
    b.set_xticks(nights)
    b.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
