"""``assistant nlu parse``: one JSON line per input line, the model loaded once, runtime only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = ("import sys; from assistant.cli import main; code = main(['nlu', 'parse'] + sys.argv[1:]); "
         "print(sorted(m for m in sys.modules if m.startswith(('assistant.training', 'personalize.')) "
         "or m in ('torch', 'sklearn')), file=sys.stderr); raise SystemExit(code)")


def parse(lines: list[str], *args: str) -> tuple[list[dict], str]:
    out = subprocess.run([sys.executable, "-c", PROBE, *args], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, cwd=REPO, timeout=120, check=True)
    return [json.loads(line) for line in out.stdout.splitlines()], out.stderr


def test_one_json_line_per_utterance_with_resolved_slots(tmp_path: Path) -> None:
    rows, err = parse(["set a timer for ten minutes", "", "purple monkey dishwasher"],
                      "--model-dir", str(REPO / "models" / "hearth-nlu"))
    assert len(rows) == 3
    timer, empty, odd = rows
    assert {"text", "intent", "confidence", "slots", "in_scope"} <= set(timer)
    assert timer["intent"] == "timer_set" and timer["in_scope"] is True
    assert timer["slots"] == [{"name": "duration", "text": "ten minutes", "value": 600}]
    assert empty["intent"] == odd["intent"] == "out_of_scope" and odd["in_scope"] is False
    # only the runtime: no training code, no torch
    assert err.strip().splitlines()[-1] == "['assistant.training', 'assistant.training.cli', 'personalize.cli']"


def test_the_live_model_by_default(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HEARTH_DATA_DIR", str(tmp_path))  # no personalized version: the shipped one
    rows, _ = parse(["turn off the kitchen lights"])
    assert rows[0]["intent"] == "lights_off" and rows[0]["slots"][0]["name"] == "place"
