"""Broken or missing models never stop the loop: each falls back and says so in one line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from assistant.paths import REPO_MODELS


def ask(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", "ask", *args, "--json"],
                          capture_output=True, text=True, timeout=300)


def turn_of(r: subprocess.CompletedProcess) -> dict:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    return json.loads(r.stdout)["turns"][0]


def test_corrupt_nlu_model_falls_back_to_keywords(tmp_path):
    broken = tmp_path / "nlu"
    shutil.copytree(REPO_MODELS / "hearth-nlu", broken)
    (broken / "model.onnx").write_bytes(b"\x00garbage" * 100)
    r = ask("set a timer for ten minutes", "--quiet", "--understanding-model", str(broken),
            "--generation-enabled", "false")
    turn = turn_of(r)  # a template sentence: understood without any model
    assert turn["understood_by"] == "templates" and turn["intent"] == "timer_set"
    assert "10 minute" in turn["reply"]
    assert json.loads(r.stdout)["engines"]["understanding"] == "keywords templates + keywords"
    notes = [line for line in r.stderr.splitlines() if "keyword" in line]
    assert len(notes) == 1 and "model.onnx" in notes[0]


def test_missing_nlu_model_folder_falls_back_to_keywords(tmp_path):
    turn = turn_of(ask("what is the time right now please", "--quiet", "--understanding-model",
                       str(tmp_path / "nowhere"), "--generation-enabled", "false"))
    assert turn["understood_by"] == "keywords" and turn["intent"] == "datetime_query"


def test_missing_piper_voice_falls_back_to_espeak(tmp_path):
    out = tmp_path / "r.wav"
    r = ask("what time is it", "-o", str(out), "--tts-voice", str(tmp_path / "gone.onnx"),
            "--generation-enabled", "false")
    turn_of(r)
    assert "espeak" in r.stderr and out.stat().st_size > 8000


def test_missing_generative_model_answers_honestly(tmp_path):
    r = ask("why is the sky blue", "--quiet", "--generation-model", "no-such-model")
    turn = turn_of(r)
    assert turn["intent"] == "general_question" and turn["reply"]
    assert "generative model off" in r.stderr
