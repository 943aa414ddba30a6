"""pocketsphinx on real synthesized speech: joe (piper), slt and kal16 (flite) voices."""

from __future__ import annotations

import numpy as np
import pytest
from synth_helpers import flite_wav, piper_wav, silence

from assistant.asr.base import ChannelAdaptive, GrammarRestrictable
from assistant.asr.factory import make_recognizer
from assistant.asr.sphinx_backend import SphinxModel, make_decoder
from assistant.audio.wav import read_wav
from assistant.config import AsrConfig
from assistant.errors import ConfigError, ModelError

# sentence -> words that must be heard (what the skills need)
COMMANDS = {
    "set a timer for ten minutes": ["timer", "ten", "minutes"],
    "add milk to the shopping list": ["add", "milk", "shopping", "list"],
    "turn off the kitchen lights": ["off", "kitchen", "lights"],
    "remind me to call mom at six pm": ["remind", "call", "mom", "six", "pm"],
    "set the volume to five": ["volume", "five"],
    "wake me up at seven thirty": ["wake", "seven", "thirty"],
}
VOICES = {
    "joe": lambda s: piper_wav(s),
    "slt": lambda s: flite_wav(s, "slt"),
    "kal16": lambda s: flite_wav(s, "kal16"),
}


@pytest.fixture(scope="module")
def domain():
    return make_recognizer(AsrConfig(engine="pocketsphinx", language_model="domain",
                                     grammar_first=False))


@pytest.fixture(scope="module")
def general():
    return make_recognizer(AsrConfig(engine="pocketsphinx", language_model="general"))


def recognize(rec, path, block=480):
    x = read_wav(path)
    rec.reset()
    for i in range(0, len(x), block):
        assert rec.accept(x[i : i + block]) is False  # pocketsphinx leaves endpointing to us
    return rec.final()


@pytest.mark.parametrize("voice", list(VOICES))
@pytest.mark.parametrize("sentence", list(COMMANDS))
def test_domain_lm_hears_the_key_words(domain, voice, sentence):
    result = recognize(domain, VOICES[voice](sentence))
    heard = result.text.split()
    for w in COMMANDS[sentence]:
        assert w in heard, f"{voice}: {sentence!r} -> {result.text!r}"
    assert 0.3 < result.confidence <= 1.0


def test_domain_beats_general_on_commands(domain, general):
    right = {"domain": 0, "general": 0}
    for sentence in COMMANDS:
        for voice in VOICES.values():
            path = voice(sentence)
            right["domain"] += recognize(domain, path).text == sentence
            right["general"] += recognize(general, path).text == sentence
    total = len(COMMANDS) * len(VOICES)
    assert right["domain"] >= total - 1
    assert right["general"] < right["domain"]


def test_general_lm_handles_open_questions(general):
    result = recognize(general, piper_wav("what is the capital of france"))
    assert "capital" in result.text and "france" in result.text


def test_words_have_ordered_timings_inside_the_audio(domain):
    path = piper_wav("turn off the kitchen lights")
    seconds = len(read_wav(path)) / 16000
    result = recognize(domain, path)
    assert [w.text for w in result.words] == result.text.split()
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start < w.end <= seconds + 0.05 for w in result.words)
    assert all(0.0 <= w.confidence <= 1.0 for w in result.words)


def test_partial_grows_and_reset_forgets(domain):
    x = read_wav(piper_wav("add milk to the shopping list"))
    domain.reset()
    domain.accept(x[: len(x) // 2])
    first = domain.partial()
    domain.accept(x[len(x) // 2 :])
    assert first and len(domain.partial()) > len(first)
    domain.reset()
    assert domain.partial() == ""
    assert domain.final().text == ""


def test_two_utterances_in_a_row(domain):
    a = recognize(domain, piper_wav("what time is it"))
    b = recognize(domain, piper_wav("cancel the timer"))
    assert (a.text, b.text) == ("what time is it", "cancel the timer")


def test_silence_gives_empty_text(domain):
    domain.reset()
    domain.accept(silence(1.0))
    assert domain.final().text == ""


def test_grammar_restricts_and_releases(general):
    assert isinstance(general, GrammarRestrictable) and isinstance(general, ChannelAdaptive)
    general.set_grammar(["yes", "no", "cancel"])
    assert recognize(general, flite_wav("no", "slt")).text == "no"
    general.set_grammar(None)
    assert recognize(general, piper_wav("what time is it")).text == "what time is it"


def test_grammar_with_unknown_word_is_one_line(general):
    with pytest.raises(ModelError, match="qwxzt"):
        general.set_grammar(["qwxzt"])
    general.set_grammar(None)


def test_extra_words_get_pronunciations_in_the_general_model():
    rec = make_recognizer(AsrConfig(engine="pocketsphinx", language_model="general",
                                    extra_words=["kombucha"]))
    assert rec.decoder.lookup_word("kombucha")


def test_bad_settings_and_files_are_one_line(tmp_path):
    with pytest.raises(ConfigError, match="language_model"):
        make_recognizer(AsrConfig(engine="pocketsphinx", language_model="huge"))
    with pytest.raises(ConfigError, match="asr.engine"):
        make_recognizer(AsrConfig(engine="nosuch"))
    bad = tmp_path / "broken.arpa"
    bad.write_text("this is not an ARPA file")
    model = SphinxModel.bundled()
    with pytest.raises(ModelError) as e:
        make_decoder(model.hmm, model.dict, lm=bad)
    assert "broken.arpa" in str(e.value) and "\n" not in str(e.value)


def test_int16_contract(domain):
    domain.reset()
    domain.accept(np.zeros(480, dtype=np.int16))
    domain.reset()
