"""Grammar-first recognition on real synthesized speech: the grammar hears commands, the open
model hears everything else, and a weakly heard open transcript is not trusted to act."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest
from intents_helpers import GARDEN
from synth_helpers import flite_wav, piper_wav, silence

from assistant.asr.factory import make_recognizer
from assistant.asr.grammar_first import Evidence, GrammarFirstRecognizer
from assistant.asr.sphinx_backend import BestPath
from assistant.asr.vocabulary import Vocabulary
from assistant.audio.wav import read_wav
from assistant.config import AsrConfig
from assistant.events import Transcript, Understanding
from assistant.sentences.load import builtin, load
from assistant.understanding.hearing import weigh
from assistant.understanding.templates import TemplateMatcher
from assistant.values.slots import resolve

NOW = datetime(2026, 6, 1, 9, 0)


@pytest.fixture(scope="module")
def rec():
    r = make_recognizer(AsrConfig(engine="pocketsphinx", grammar_first=True))
    assert isinstance(r, GrammarFirstRecognizer)
    return r


def meaning(text: str) -> tuple:
    u = resolve(TemplateMatcher(builtin()).match(text), NOW)
    return u.intent, sorted((s.name, str(s.value)) for s in u.slots)


def hear(rec, path, block=480):
    x = read_wav(path)
    rec.reset()
    partials = []
    for i in range(0, len(x), block):
        assert rec.accept(x[i:i + block]) is False
        if i % (block * 20) == 0:
            partials.append(rec.partial())
    return rec.final(), partials


@pytest.mark.parametrize("voice", ["joe", "slt"])
@pytest.mark.parametrize("text", ["set a timer for twelve minutes", "turn off the kitchen lights",
                                  "wake me up at seven thirty tomorrow", "what time is it"])
def test_commands_are_heard_by_the_grammar(rec, voice, text):
    path = piper_wav(text) if voice == "joe" else flite_wav(text, voice)
    heard, partials = hear(rec, path)
    assert heard.source == "grammar", (voice, heard.text, rec.evidence)
    assert meaning(heard.text) == meaning(text), heard.text  # "twelve minute" is as good
    assert heard.confidence == 1.0
    assert any(p for p in partials), "streaming partials still come"
    assert heard.words and heard.words[0].start < heard.words[-1].end


@pytest.mark.parametrize("text", ["what is the capital of france",
                                  "remind me to call the dentist at three pm"])
def test_what_no_grammar_sentence_says_is_the_open_models(rec, text):
    heard, _ = hear(rec, piper_wav(text))
    assert heard.source == "open", (heard.text, rec.evidence)
    assert rec.evidence.p_grammar() < rec.threshold


def test_prose_is_not_forced_onto_a_command(rec):
    text = "the software is provided as is without warranty of any kind"
    heard, _ = hear(rec, piper_wav(text))
    assert heard.source == "open", (heard.text, rec.evidence)


def test_silence_and_reset(rec):
    rec.reset()
    rec.accept(silence(1.0))
    assert rec.final().text == ""
    rec.accept(silence(0.5))
    rec.reset()  # mid-utterance: the next one starts clean
    heard, _ = hear(rec, piper_wav("what time is it"))
    assert heard.text == "what time is it"


def test_a_custom_intent_is_heard_by_the_grammar(tmp_path):
    f = tmp_path / "garden.yaml"
    f.write_text(GARDEN)
    sentences = load(files=[f])
    r = make_recognizer(AsrConfig(engine="pocketsphinx", grammar_first=True),
                        Vocabulary(templates=sentences))
    heard, _ = hear(r, piper_wav("water the lawn for twenty minutes"))
    assert heard.text == "water the lawn for twenty minutes" and heard.source == "grammar"


def test_grammar_first_is_off_by_default():
    r = make_recognizer(AsrConfig(engine="pocketsphinx"))
    assert not isinstance(r, GrammarFirstRecognizer) and r.name == "pocketsphinx-domain"


def test_evidence_trusts_a_path_close_to_the_phone_loop_and_agreement():
    free = BestPath(-1000.0, ("AH",))
    close = Evidence(100, 80, BestPath(-1500.0, ("stop",)), BestPath(-1500.0, ("stop",)), free)
    far = Evidence(100, 80, BestPath(-6000.0, ("stop",)), BestPath(-3000.0, ("top",)), free)
    none = Evidence(100, 80, None, BestPath(-3000.0, ("top",)), free)
    assert close.grammar_gap == pytest.approx(500 / 80) and close.agree and not far.agree
    assert close.p_grammar() > 0.5 > far.p_grammar()
    assert none.grammar_gap == math.inf and none.p_grammar() < far.p_grammar()
    assert close.p_open() > far.p_open()


def test_a_weakly_heard_open_transcript_bounds_the_understanding():
    u = Understanding("add light at seattle shampoo to my list", "list_add", 1.0)
    heard = lambda c, source="open", calibrated=True: Transcript(  # noqa: E731
        u.text, confidence=c, source=source, calibrated=calibrated)
    assert weigh(u, heard(0.2)).confidence == 0.2
    assert weigh(u, heard(0.2, "grammar")).confidence == 1.0
    assert weigh(u, heard(0.45, "offered")).confidence == 0.45  # the likeliest, not vouched for
    assert weigh(u, heard(0.9)).confidence == 0.9
    assert weigh(u, heard(0.2, calibrated=False)).confidence == 1.0  # a plain LM's posterior


def test_int16_contract(rec):
    rec.reset()
    rec.accept(np.zeros(480, dtype=np.int16))
    rec.accept(np.zeros(480, dtype=np.float64))  # converted, not rejected
    rec.reset()
