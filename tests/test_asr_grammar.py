"""The command grammar: templates -> minimal word automaton -> pocketsphinx FSG, cached."""

from __future__ import annotations

import random

import pytest
from intents_helpers import GARDEN

from assistant.asr.automaton import Nfa, compact, strings
from assistant.asr.grammar import compile_grammar, in_grammar
from assistant.asr.sphinx_grammar import build_grammar, fsg_text
from assistant.sentences.load import builtin, load
from assistant.sentences.sample import Sampler
from assistant.understanding.templates import TemplateMatcher


@pytest.fixture(scope="module")
def dfa():
    return compile_grammar(builtin())


def test_minimal_automaton_shares_the_number_and_time_copies(dfa):
    # pocketsphinx's own JSGF compiler made 45,167 states of the same templates
    assert 200 < len(dfa.arcs) < 3000
    assert dfa.n_arcs < 20000


def test_every_grammar_sentence_is_understood_by_its_template(dfa):
    """What the grammar lets the recognizer say, the matcher understands at confidence 1."""
    sentences = builtin()
    matcher = TemplateMatcher(sentences)
    sampler = Sampler(sentences, random.Random(3))
    checked = 0
    for intent, expression, lists, rules in in_grammar(sentences):
        for _ in range(3):
            s = sampler.sentence(intent, expression, lists, rules)
            assert dfa.accepts(s.words), s.text
            u = matcher.match(s.text)
            assert u is not None and u.intent == intent and u.confidence == 1.0, s.text
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("text", ["set a timer for ninety nine minutes",
                                  "what's nine hundred ninety nine times two",
                                  "wake me up at quarter to seven tomorrow",
                                  "set an alarm for six thirty am on monday"])
def test_accepts_commands(dfa, text):
    assert dfa.accepts(text.split())


@pytest.mark.parametrize("text", ["add milk to my shopping list",  # wildcard: the open model's
                                  "remind me to call mom",
                                  "set a timer for one hundred minutes",  # {count} is 1-99
                                  "what is the capital of france",
                                  "set a timer for"])
def test_rejects_what_no_grammar_template_says(dfa, text):
    assert not dfa.accepts(text.split())


def test_custom_intents_are_in_the_grammar_with_glued_words(tmp_path):
    f = tmp_path / "garden.yaml"
    f.write_text(GARDEN)
    dfa = compile_grammar(load(files=[f]))
    for text in ("water the lawn for forty two minutes", "water rose bed for one minutes",
                 "start the lawn sprinklers", "run the tomatoes sprinkler"):
        assert dfa.accepts(text.split()), text
    assert not dfa.accepts(["water", "the", "lawn", "for", "sixty", "one", "minutes"])


def test_determinize_and_minimize_a_small_language():
    nfa = Nfa()
    start, end = nfa.state(), nfa.state()
    for words in (["a", "b"], ["a", "c"], ["d", "b"], ["d", "c"], ["a"]):
        nfa.arc(nfa.words(start, words), None, end)
    dfa = compact(nfa, start, end)
    assert sorted(strings(dfa)) == ["a", "a b", "a c", "d b", "d c"]
    # a and d lead to different futures (only a may end); b and c end in one shared state
    assert len(dfa.arcs) == 4


def test_fsg_file_has_one_final_state_and_null_arcs_to_it(dfa):
    text = fsg_text(dfa)
    lines = text.splitlines()
    assert lines[0] == "FSG_BEGIN hearth" and lines[-1] == "FSG_END"
    final = int(next(ln for ln in lines if ln.startswith("FINAL_STATE")).split()[1])
    nulls = [ln for ln in lines if ln.startswith("TRANSITION") and len(ln.split()) == 4]
    assert nulls and all(int(ln.split()[2]) == final for ln in nulls)


def test_built_once_then_read_from_the_cache(tmp_path):
    from assistant.asr.sphinx_backend import SphinxModel, make_decoder

    model = SphinxModel.bundled()
    f = tmp_path / "garden.yaml"
    f.write_text(GARDEN)
    first = build_grammar(load(files=[f]), model.dict, cache=tmp_path / "c")
    again = build_grammar(load(files=[f]), model.dict, cache=tmp_path / "c")
    assert first.build_s > 0 and again.build_s == 0 and again.fsg == first.fsg
    assert again.states == first.states
    other = build_grammar(builtin(), model.dict, cache=tmp_path / "c")
    assert other.fsg != first.fsg
    # the real decoder loads the file and its dictionary holds every word
    decoder = make_decoder(model.hmm, first.dict, fsg=first.fsg, bestpath=False)
    assert decoder.lookup_word("sprinklers") is not None


def test_a_damaged_cache_entry_is_rebuilt(tmp_path):
    from assistant.asr.sphinx_backend import SphinxModel

    model = SphinxModel.bundled()
    f = tmp_path / "garden.yaml"
    f.write_text(GARDEN)
    first = build_grammar(load(files=[f]), model.dict, cache=tmp_path / "c")
    (first.fsg.parent / "grammar.json").write_text("{not json")
    again = build_grammar(load(files=[f]), model.dict, cache=tmp_path / "c")
    assert again.build_s > 0 and again.states == first.states
