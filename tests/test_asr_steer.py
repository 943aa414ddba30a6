"""Steering a free transcript by the command grammar: snapping onto the automaton (its costs,
wildcards, bounds) and the calibrated choice between a grammar sentence and the free words."""

from __future__ import annotations

import time

import pytest
from intents_helpers import GARDEN

from assistant.asr.automaton import Nfa, compact
from assistant.asr.grammar import WILDCARD, compile_grammar
from assistant.asr.snap import MAX_SUB, snap, substitution
from assistant.asr.steer import Evidence, Steering, probability
from assistant.sentences.load import builtin, load
from assistant.understanding.templates import TemplateMatcher


@pytest.fixture(scope="module")
def grammar():
    return compile_grammar(builtin(), wildcards=True)


def words(text: str) -> list[str]:
    return text.split()


def tiny(*sentences: str):
    nfa = Nfa()
    start, end = nfa.state(), nfa.state()
    for s in sentences:
        nfa.arc(nfa.words(start, s.split()), None, end)
    return compact(nfa, start, end)


def test_wildcards_are_one_arc_and_only_when_asked(grammar) -> None:
    plain = compile_grammar(builtin())
    assert WILDCARD not in plain.vocabulary() and WILDCARD in grammar.vocabulary()
    assert grammar.accepts(["add", WILDCARD, "to", "my", "shopping", "list"])
    assert not plain.accepts(["add", WILDCARD, "to", "my", "shopping", "list"])


def test_substitutions_cost_less_between_words_spelt_alike() -> None:
    assert substitution("ice", "iced") < substitution("rose", "roast") < substitution("cat", "dog")
    assert substitution("milk", "milk") == 0.0
    assert substitution("cat", "dog") > MAX_SUB  # never read one for the other


@pytest.mark.parametrize("heard,said", [
    ("turn of the kitchen lights", "turn off the kitchen lights"),  # a misspelt word
    ("set a time for ten minutes", "set a timer for ten minutes"),
    ("set timer for ten minutes", "set a timer for ten minutes"),  # a dropped function word
    ("whats the weather like in paris tomorrow", "what's the weather like in paris tomorrow"),
])
def test_the_nearest_grammar_sentence_comes_first(grammar, heard, said) -> None:
    got = snap(grammar, heard.split())
    assert got and got[0].text == said, [s.text for s in got]
    assert [s.cost for s in got] == sorted(s.cost for s in got)
    assert len({s.text for s in got}) == len(got)


def test_a_sentence_in_the_grammar_snaps_to_itself_at_no_cost(grammar) -> None:
    got = snap(grammar, words("turn off the kitchen lights"))
    assert got[0].text == "turn off the kitchen lights" and got[0].cost == 0.0


def test_a_wildcard_takes_the_heard_words_as_they_are(grammar) -> None:
    got = snap(grammar, words("and oat milk to my shopping list"))
    assert "add oat milk to my shopping list" in [s.text for s in got]
    # the grammar's own words are spelled out; a wildcard's heard words cost next to nothing
    best = next(s for s in got if s.text == "add oat milk to my shopping list")
    assert 0.3 < best.cost < 0.7


def test_nothing_near_is_nothing(grammar) -> None:
    assert snap(tiny("lights on", "lights off"), words("what is the capital of france")) == []
    assert snap(tiny("lights on"), []) == []


def test_snapping_is_bounded_in_time(grammar) -> None:
    words = ("the quick brown fox jumps over the lazy dog " * 4).split()
    t0 = time.perf_counter()
    snap(grammar, words)
    assert time.perf_counter() - t0 < 2.0  # bounded by MAX_POPS, not by the sentence


def test_custom_intents_steer_too(tmp_path) -> None:
    (tmp_path / "garden.yaml").write_text(GARDEN)
    sentences = load(files=[tmp_path / "garden.yaml"])
    g = compile_grammar(sentences, wildcards=True)
    matcher = TemplateMatcher(sentences)
    heard = words("water the rows bed for ten minutes")
    got = snap(g, heard)
    assert got, "no proposal"
    found = matcher.match(got[0].text)
    assert found is not None and found.intent == "WaterGarden", got[0].text


# --- the choice -----------------------------------------------------------------------------

def scorer(scores: dict[str, float | tuple[float, float]]):
    """Each text's log-probability (-50 unless given) and its end's (a whole sentence's, -1.5,
    unless given)."""
    def score(texts: list[str]) -> list[tuple[float, float]]:
        got = [scores.get(t, -50.0) for t in texts]
        return [g if isinstance(g, tuple) else (g, -1.5) for g in got]
    return score


def test_a_command_heard_as_a_grammar_sentence_is_taken_with_its_calibrated_confidence() -> None:
    steer = Steering(tiny("turn off the kitchen lights", "turn on the kitchen lights"))
    c = steer.choose("turn off the kitchen lights", [], -0.2, 0.02, scorer({
        "turn off the kitchen lights": -2.0, "turn on the kitchen lights": -9.0}))
    assert (c.source, c.text, c.free) == ("grammar", "turn off the kitchen lights",
                                          "turn off the kitchen lights")
    assert c.confidence == pytest.approx(probability(steer.grammar_weights, c.evidence.decision()))
    assert c.confidence >= steer.threshold
    assert [p for p, _ in c.proposals] == ["turn off the kitchen lights", "turn on the kitchen lights"]


def test_a_proposal_the_audio_rejects_leaves_the_free_words() -> None:
    steer = Steering(tiny("turn off the kitchen lights"))
    c = steer.choose("turn of the kitchen lights", [], -0.3, 0.02, scorer({
        "turn of the kitchen lights": -2.0, "turn off the kitchen lights": -25.0}))
    assert (c.source, c.text) == ("open", "turn of the kitchen lights")
    assert c.proposals[0][0] == "turn off the kitchen lights" and c.evidence.gap == -23.0
    assert c.confidence == pytest.approx(probability(steer.open_weights, c.evidence.decision()))


def test_a_sentence_the_speech_goes_on_after_is_not_taken() -> None:
    """After a pause Whisper scores "what is the weather" better as a sum than the whole "what
    is the weather in paris tomorrow" (the numbers are Whisper's, piper's voice with a 0.4 s
    pause), but not its end: the speech goes on."""
    g = tiny("what is the weather", "what is the weather in paris tomorrow")
    heard = "what is the weather and paris tomorrow"

    def choose(end: float):  # noqa: ANN202
        return Steering(g).choose(heard, [], -0.14, 0.01, scorer({
            heard: (-12.4, -3.0), "what is the weather": (-9.7, end),
            "what is the weather in paris tomorrow": (-16.4, -3.0)}))

    assert choose(-6.9).text != "what is the weather"
    assert dict(choose(-6.9).proposals)["what is the weather"].end == -6.9
    assert choose(-1.5).text == "what is the weather"  # had the speech ended there


def test_no_proposal_is_the_free_words() -> None:
    steer = Steering(tiny("lights on"))
    c = steer.choose("what is the capital of france", [], -0.2, 0.01, scorer({}))
    assert (c.source, c.text, c.proposals) == ("open", "what is the capital of france", ())
    assert c.evidence.features()[1] == -6.0  # no proposal reads as one far away (gap -30)
    assert c.evidence.avg_logprob == -0.2


@pytest.mark.parametrize("weights", ["rank_weights", "grammar_weights"])
def test_the_calibration_reads_the_evidence_the_right_way_round(weights) -> None:
    """Fitted weights that made a proposal likelier as the audio fits it worse, as it lies
    further from what was heard, as it leaves more of it out, or, holding free text, as that
    was heard worse, would be a broken calibration."""
    def p(**kw: float) -> float:
        base = {"gap": -3.0, "words": 5, "cost": 0.6, "avg_logprob": -0.3, "no_speech": 0.05,
                "margin": 3.0, "heard": 5, "end": -1.5}
        ev = Evidence(**{**base, **kw, "logprob": -5.0 + kw.get("gap", base["gap"])})
        return probability(getattr(Steering(tiny("a")), weights),
                           ev.features() if weights == "rank_weights" else ev.decision())

    assert p(gap=-1.0) > p(gap=-3.0) > p(gap=-10.0)
    assert p(cost=0.3) >= p(cost=0.6) >= p(cost=1.5)  # the decision may leave cost to the rank
    assert p(heard=5) > p(heard=7) > p(heard=10)  # "what is the weather" for "... in paris"
    assert p(end=-1.5) > p(end=-7.0)  # ... which Whisper does not believe the speech ends at
    if weights == "rank_weights":
        assert p(cost=0.3) > p(cost=1.5)
    else:  # a proposal that fits worse than what Whisper wrote, the surer it was of that
        assert p(avg_logprob=-0.1) < p(avg_logprob=-0.8)
    # a wildcard takes whatever was misheard: free text is as right as it was heard well
    assert p(free_text=True, avg_logprob=-0.1) > p(free_text=True, avg_logprob=-0.8)
    assert p(free_text=True, avg_logprob=-0.8) < p(avg_logprob=-0.8)
    assert p(gap=0.0, cost=0.0, exact=True) > 0.5  # Whisper wrote a grammar sentence: take it
    assert p(gap=-20.0, cost=1.1) < 0.1  # "remember" put before a question: never


def test_the_threshold_decides() -> None:
    g = tiny("turn off the kitchen lights")
    scores = scorer({"turn of the kitchen lights": -3.0, "turn off the kitchen lights": -4.0})
    taken = Steering(g, threshold=0.0).choose("turn of the kitchen lights", [], -0.4, 0.05, scores)
    never = Steering(g, threshold=1.01, offer=1.01).choose("turn of the kitchen lights", [], -0.4,
                                                           0.05, scores)
    assert taken.source == "grammar" and taken.text == "turn off the kitchen lights"
    assert never.source == "open" and never.text == "turn of the kitchen lights"


def test_a_likely_sentence_under_the_threshold_is_offered_with_its_chance() -> None:
    """Between ``offer`` and ``threshold`` the grammar's likeliest sentence replaces what was
    written, vouched for only as far as ``offer`` (so the dialogue asks about it and does not
    act); under ``offer`` what was written stays."""
    g = tiny("turn off the kitchen lights")
    scores = scorer({"turn of the kitchen lights": -3.0, "turn off the kitchen lights": -4.0})
    heard = ("turn of the kitchen lights", [], -0.4, 0.05, scores)
    p = Steering(g, threshold=0.0).choose(*heard).confidence
    offered = Steering(g, threshold=p + 0.01, offer=p - 0.01).choose(*heard)
    kept = Steering(g, threshold=p + 0.02, offer=p + 0.01).choose(*heard)
    assert (offered.source, offered.text) == ("offered", "turn off the kitchen lights")
    assert offered.confidence == pytest.approx(p - 0.01)
    assert (kept.source, kept.text) == ("open", "turn of the kitchen lights")
    assert kept.confidence < p


def test_a_sentence_with_free_text_is_never_offered() -> None:
    """A free-text slot takes any words, so "where is {thing}" would dress up any question."""
    g = tiny(f"where is {WILDCARD}")
    scores = scorer({"what is the speed of light": -5.5, "where is the speed of light": -7.0})
    c = Steering(g, threshold=1.01, offer=0.0).choose("what is the speed of light", [], -0.05,
                                                       0.01, scores)
    assert c.proposals[0][0] == "where is the speed of light"
    assert (c.source, c.text) == ("open", "what is the speed of light")
