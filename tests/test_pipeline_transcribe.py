"""``assistant transcribe`` end to end in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

from synth_helpers import flite_wav, piper_wav


def transcribe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", "transcribe", *args],
                          capture_output=True, text=True, timeout=120)


def test_text_and_json():
    r = transcribe(str(piper_wav("set a timer for five minutes")))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "set a timer for five minutes"  # Whisper, the default
    wav = str(flite_wav("add milk to the shopping list", "slt"))
    r = transcribe(wav, "--asr-engine", "pocketsphinx")
    assert r.stdout.strip() == "add milk to the shopping list"
    r = transcribe(str(flite_wav("turn off the kitchen lights", "slt")), "--json",
                   "--asr-engine", "pocketsphinx", "--asr-grammar-first", "true")
    assert json.loads(r.stdout)["engine"] == "pocketsphinx-grammar"
    assert json.loads(r.stdout)["text"] == "turn off the kitchen lights"
    r = transcribe(wav, "--json", "--asr-engine", "pocketsphinx", "--asr-language-model", "general")
    out = json.loads(r.stdout)
    assert out["engine"] == "pocketsphinx-general"
    assert out["text"] == " ".join(w["word"] for w in out["words"])
    assert all(set(w) == {"word", "start", "end", "confidence"} for w in out["words"])
    assert out["audio_seconds"] > 1.0 and 0 <= out["confidence"] <= 1


def test_grammar_flag_and_missing_model():
    wav = str(flite_wav("no", "kal16"))
    r = transcribe(wav, "--grammar", "yes", "--grammar", "no", "--asr-engine", "pocketsphinx")
    assert r.stdout.strip() == "no"
    r = transcribe(wav, "--grammar", "yes")  # Whisper decodes freely: said, not ignored
    assert r.returncode == 1 and r.stderr.strip() == (
        "error: --grammar: the whisper recognizer cannot be held to phrases")
    r = transcribe(wav, "--asr-engine", "vosk", "--asr-vosk-model", "/nonexistent/model")
    assert r.returncode == 0 and r.stderr.count("\n") == 1, r.stderr  # pocketsphinx hears
    assert "does not exist" in r.stderr and "hearing with pocketsphinx instead" in r.stderr
