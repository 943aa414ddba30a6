"""The command corpus, the Kneser-Ney estimator, pronunciations and the cached domain LM."""

from __future__ import annotations

import math

import pytest

from assistant.asr import corpus, pronounce
from assistant.asr.domain_lm import build_domain_lm, dict_path
from assistant.asr.ngram import BOS, EOS, KneserNey
from assistant.asr.sphinx_backend import SphinxModel, make_decoder
from assistant.values.number import spoken


def test_corpus_covers_numbers_and_is_deterministic():
    sents = corpus.corpus()
    words = {w for s in sents for w in s.split()}
    for n in range(1, 100):
        assert set(spoken(n).split()) <= words
    assert {"minutes", "o'clock", "shopping", "kitchen", "pm"} <= words
    assert sents == corpus.corpus()
    assert len(sents) == len(set(sents)) > 2000
    assert not any(ch.isdigit() for s in sents for ch in s)  # the recognizer hears words


def test_extra_words_become_slot_values():
    sents = corpus.corpus(extra_sentences=["Feed Biscuit, please!"], extra_words=["kombucha"])
    assert "feed biscuit please" in sents
    assert any("kombucha" in s and "list" in s for s in sents)


@pytest.fixture(scope="module")
def toy():
    text = ["set a timer", "set a timer for ten minutes", "cancel the timer", "set an alarm"]
    return KneserNey([s.split() for s in text], order=3)


@pytest.mark.parametrize("history", [(BOS,), ("set", "a"), ("the",), ("never", "seen"), ()])
def test_kneser_ney_distributions_sum_to_one(toy, history):
    total = sum(toy.prob((*history, w)) for w in toy.vocab if w != BOS)
    assert total == pytest.approx(1.0, abs=1e-9)


def test_kneser_ney_prefers_seen_continuations(toy):
    assert toy.prob(("set", "a", "timer")) > toy.prob(("set", "a", "alarm"))
    assert toy.sentence_logprob(["set", "a", "timer"]) > toy.sentence_logprob(
        ["timer", "a", "set"])


def test_arpa_matches_the_model(toy, tmp_path):
    path = toy.write_arpa(tmp_path / "toy.arpa")
    text = path.read_text()
    assert text.startswith("\\data\\\nngram 1=") and text.rstrip().endswith("\\end\\")
    line = next(ln for ln in text.splitlines() if ln.split("\t")[1:2] == ["set a timer"])
    assert float(line.split("\t")[0]) == pytest.approx(math.log10(toy.prob(("set", "a", "timer"))),
                                                       abs=1e-5)
    assert f"-99\t{BOS}" in text and f"\t{EOS}" in text


def test_ipa_to_cmu():
    assert pronounce.ipa_to_cmu("hˈɑːɹθ") == ["HH", "AA", "R", "TH"]
    assert pronounce.ipa_to_cmu("tʃˈɛɹ") == ["CH", "EH", "R"]
    assert pronounce.ipa_to_cmu("kˈɑːmbʌt\u200dʃə") == ["K", "AA", "M", "B", "AH", "CH", "AH"]
    assert pronounce.ipa_to_cmu("dʒˈʌmp θˈɪŋ") == ["JH", "AH", "M", "P", "TH", "IH", "NG"]


def test_guess_uses_espeak_and_falls_back_to_spelling(monkeypatch):
    assert pronounce.guess("zyrtec") == "Z IH R T EH K"
    monkeypatch.setattr(pronounce, "espeak_ipa", lambda w: None)
    assert pronounce.guess("zyrtec") == "Z Y R T EH K"


def test_domain_lm_is_built_once_and_loads(tmp_path):
    wake = ["hey jarvis", "okay nabu"]
    arpa = build_domain_lm([], ["kombucha", "Siobhan"], wake, cache=tmp_path)
    mtime = arpa.stat().st_mtime_ns
    assert build_domain_lm([], ["kombucha", "Siobhan"], wake, cache=tmp_path) == arpa
    assert arpa.stat().st_mtime_ns == mtime  # cached, not rebuilt
    other = build_domain_lm(["feed the goldfish"], [], cache=tmp_path)
    assert other.parent != arpa.parent
    entries = dict(line.split(" ", 1) for line in dict_path(arpa).read_text().splitlines())
    assert entries["kombucha"] == "K AA M B AH CH AH"  # guessed (not in the CMU dictionary)
    assert entries["siobhan"] == "SH AW B AA N"  # from the CMU dictionary
    assert {"hey", "jarvis", "okay", "nabu"} <= set(entries)  # the wake words stay in it
    model = SphinxModel.bundled()
    decoder = make_decoder(model.hmm, dict_path(arpa), lm=arpa)
    assert decoder.lookup_word("kombucha")
