"""Decoding along the command grammar: the token automaton and the beam search, on a toy
tokenizer and a scripted decoder (the search's own logic), then on the real Whisper model."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.asr.automaton import Nfa, compact
from assistant.asr.grammar import WILDCARD
from assistant.asr.whisper_grammar import TokenGrammar, search
from assistant.asr.whisper_step import Cache

END = 0
PIECES: dict[str, int] = {}


def tokenize(text: str) -> list[int]:
    """Words in pieces of two letters, the first with the leading space (like Whisper's BPE:
    " kitchen" -> " k", "it", "ch", "en")."""
    out = []
    for word in text.split():
        word = " " + word
        for i in range(0, len(word), 2):
            out.append(PIECES.setdefault(word[i:i + 2], len(PIECES) + 1))
    return out


def grammar(*sentences: str) -> TokenGrammar:
    nfa = Nfa()
    start, end = nfa.state(), nfa.state()
    for s in sentences:
        nfa.arc(nfa.words(start, s.split()), None, end)
    return TokenGrammar(compact(nfa, start, end), tokenize, END)


class Scripted:
    """A decoder that likes the tokens of ``heard`` in order (a hypothesis off that path still
    gets them, but likes nothing else): the search must find the grammar sentence nearest it."""

    def __init__(self, heard: str, vocab: int = 200, off: float = -12.0) -> None:
        self.heard = [*tokenize(heard), END]
        self.vocab = vocab
        self.off = off  # every other token's log-probability

    def logprobs(self, history: list[int]) -> np.ndarray:
        lp = np.full(self.vocab, self.off)
        lp[END] = -6.0
        if len(history) < len(self.heard):
            lp[self.heard[len(history)]] = -0.05
        return lp

    def begin(self) -> tuple[Cache, np.ndarray]:
        cache = Cache([], [(np.zeros((1, 1)), np.zeros((1, 1)))], 0)
        self.histories: list[list[int]] = [[]]
        return cache, self.logprobs([])[None]

    def step(self, cache: Cache, tokens: list[list[int]]) -> tuple[Cache, np.ndarray]:
        rows = cache.self_kv[0][0][:, 0].astype(int)  # select() picked these histories
        self.histories = [[*self.histories[r], t[0]] for r, t in zip(rows, tokens, strict=True)]
        n = len(self.histories)
        out = Cache([], [(np.arange(n, dtype=float)[:, None], np.zeros((n, 1)))], 0)
        return out, np.stack([self.logprobs(h) for h in self.histories])


def decode(g: TokenGrammar, heard: str, off: float = -12.0, **kw) -> list[str]:
    s = Scripted(heard, off=off)
    cache, first = s.begin()
    found = search(g, cache, first, s.step, is_text=lambda t: t != END, **kw)
    names = {v: k for k, v in PIECES.items()}
    return ["".join(names[t] for t in f.tokens).strip() for f in found]


def test_only_grammar_sentences_come_out_and_the_nearest_first() -> None:
    g = grammar("turn on the kitchen lights", "turn off the kitchen lights", "turn on the radio")
    got = decode(g, "turn of the kitchen lights")  # a free decode would write "of"
    assert got[0] == "turn off the kitchen lights"
    assert set(got) <= {"turn on the kitchen lights", "turn off the kitchen lights", "turn on the radio"}


def test_a_sentence_ends_only_where_the_grammar_does() -> None:
    g = grammar("set a timer for ten minutes")
    assert decode(g, "set a timer") == ["set a timer for ten minutes"]


def test_a_word_that_begins_another_is_either() -> None:
    g = grammar("play jaz", "play jazzy songs")  # " jaz" is " j" "az", " jazzy" " j" "az" "zy"
    assert decode(g, "play jaz")[0] == "play jaz"
    assert decode(g, "play jazzy songs")[0] == "play jazzy songs"


def test_a_wildcard_writes_freely_between_grammar_words() -> None:
    nfa = Nfa()
    start, end = nfa.state(), nfa.state()
    a = nfa.words(start, ["add"])
    b = nfa.state()
    nfa.arc(a, WILDCARD, b)
    nfa.arc(nfa.words(b, ["to", "the", "list"]), None, end)
    g = TokenGrammar(compact(nfa, start, end), tokenize, END)
    tokenize("oat milk")  # the pieces exist in the toy vocabulary
    assert decode(g, "add oat milk to the list")[0] == "add oat milk to the list"


def test_free_text_does_not_crowd_the_commands_out_of_the_beam() -> None:
    """Inside a wildcard every heard token is likely, so "sit {text}" followed freely outscores
    the command at each step; the command keeps its place in the beam all the same."""
    nfa = Nfa()
    start, end = nfa.state(), nfa.state()
    nfa.arc(nfa.words(start, ["sit"]), WILDCARD, end)
    nfa.arc(nfa.words(start, ["set", "the", "fan", "to", "medium"]), None, end)
    g = TokenGrammar(compact(nfa, start, end), tokenize, END)
    got = decode(g, "sit the fan to medium", off=-1.0, beam=2, nbest=4)
    assert "set the fan to medium" in got
    assert "sit the fan to medium" in got  # and the free text is followed too


def test_the_search_stops_when_told_with_what_it_found() -> None:
    """``stop`` ends the search at once (nothing found yet) or after the first sentence is
    complete (that one kept, the longer one left unexplored)."""
    g = grammar("lights on", "lights on in the kitchen")
    assert decode(g, "lights on in the kitchen", stop=lambda: True) == []
    steps = []

    def after_the_short_one() -> bool:
        steps.append(1)
        return len(steps) > len(tokenize("lights on")) + 1  # its end token was weighed
    assert decode(g, "lights on in the kitchen", stop=after_the_short_one) == ["lights on"]
    assert decode(g, "lights on in the kitchen")[0] == "lights on in the kitchen"


def test_positions_are_canonical_between_words() -> None:
    g = grammar("lights on", "lights off")
    pos = g.start()
    for tok in tokenize("lights"):
        pos = g.moves(pos)[tok]
    assert pos.node == 0  # one position whichever way the word was reached
    assert END not in g.moves(pos)  # "lights" alone is no sentence


# --- the real model ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def whisper():
    from assistant.asr.vocabulary import Vocabulary
    from assistant.asr.whisper import from_config
    from assistant.config import AsrConfig

    return from_config(AsrConfig(whisper_partials=False), Vocabulary())


def test_the_numpy_decoder_reads_as_ctranslate2_does(whisper) -> None:
    """After a forced prefix, the cached decoder gives the next tokens the log-probabilities
    CTranslate2's own decoder gives them (both in int8, quantized differently: close)."""
    from synth_helpers import piper_wav

    from assistant.audio.wav import read_wav

    dec = whisper.decoder
    audio = read_wav(piper_wav("set a timer for ten minutes")).astype(np.float32) / 32768
    enc = dec.encode(audio)
    cache, _ = dec.begin(enc)
    prefix = dec.tokenizer.encode(" set a timer for")
    _, ours = dec.steps.step(cache, [prefix])
    # a forced prefix counts twice in max_length: one new token, its top 3 with scores
    theirs = dec.model.model.generate(
        enc.output, [dec.score_start + prefix], max_length=2 * len(prefix) + 2, beam_size=3,
        num_hypotheses=3, return_scores=True, length_penalty=0, suppress_blank=False,
        suppress_tokens=[])[0]
    pairs = [(ids, s) for ids, s in zip(theirs.sequences_ids, theirs.scores, strict=True)
             if s > -1e3]  # CTranslate2 fills a short list with -1e10
    assert len(pairs) >= 2
    for ids, score in pairs:
        assert float(ours[0, ids[-1]]) == pytest.approx(score, abs=0.25), dec.tokenizer.decode(ids)
    assert dec.tokenizer.decode([int(np.argmax(ours[0]))]).strip() in ("10", "ten")


def test_the_int8_decoder_scores_as_the_float_one(whisper) -> None:
    """The step graph's 8-bit weights and activations (a third of the memory, twice as fast)
    leave every next token the float graph's likeliest and a sentence's score within 0.1."""
    from synth_helpers import piper_wav

    from assistant.asr.whisper import model_folder
    from assistant.asr.whisper_step import WhisperStep, build_graph, read_variables
    from assistant.audio.wav import read_wav
    from assistant.onnx_session import open_session

    variables = read_variables(model_folder() / "model.bin")
    graph = build_graph(variables, int8=False).SerializeToString()
    exact = WhisperStep(variables, open_session(graph, arena=False))
    dec = whisper.decoder
    sentence = "what's the weather like tomorrow in paris"
    enc = np.asarray(dec.encode(read_wav(piper_wav(sentence)).astype(np.float32) / 32768).output)
    tokens = dec.tokenizer.encode(" " + sentence)
    ours, theirs = ([step.step(step.start(enc, dec.score_start)[0], [tokens], every=True)[1][0]
                     for step in (dec.steps, exact)])
    assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all()
    forced = np.arange(len(tokens) - 1), tokens[1:]
    assert ours[forced].sum() == pytest.approx(theirs[forced].sum(), abs=0.1)


def test_following_the_grammar_finds_the_command(whisper) -> None:
    from synth_helpers import piper_wav

    from assistant.audio.wav import read_wav

    dec = whisper.decoder
    audio = read_wav(piper_wav("cancel my alarm")).astype(np.float32) / 32768
    enc = dec.encode(audio)
    found = dec.follow(enc, whisper.command_tokens, beam=4)
    assert next(iter(found)) == "cancel my alarm"
    # the search's own sums are what scoring the sentences afresh gives (within the 8-bit
    # kernel's rounding, which differs between one token a pass and many)
    again = dec.score(enc, list(found))
    assert [f.logprob for f in found.values()] == pytest.approx([s.logprob for s in again],
                                                                abs=0.15)
    assert [f.end for f in found.values()] == pytest.approx([s.end for s in again], abs=0.15)


def test_a_damaged_decoder_is_one_line(tmp_path) -> None:
    from assistant.asr.whisper import model_folder
    from assistant.asr.whisper_step import read_variables
    from assistant.errors import ModelError

    broken = tmp_path / "model.bin"
    broken.write_bytes((model_folder() / "model.bin").read_bytes()[:5_000_000])
    with pytest.raises(ModelError) as e:
        read_variables(broken)
    assert "\n" not in str(e.value) and str(broken) in str(e.value)


def test_a_missing_decoder_is_one_line(tmp_path) -> None:
    from assistant.asr.whisper_step import WhisperStep
    from assistant.errors import ModelError

    with pytest.raises(ModelError) as e:
        WhisperStep.load(tmp_path, cache=tmp_path / "cache")
    assert "\n" not in str(e.value) and str(tmp_path / "model.bin") in str(e.value)


def test_the_decoder_graph_is_built_once_and_cached(tmp_path, whisper, caplog) -> None:
    """The first load writes the step graph and its weights, and removes those of other model
    files; later loads read them (not rebuilt: same files, same answers); a damaged graph or
    weights file is built again with one log line; where the cache cannot be written the graph
    is built in memory."""
    from assistant.asr.whisper import model_folder
    from assistant.asr.whisper_step import WhisperStep

    enc = np.random.default_rng(0).standard_normal((1, 200, 384)).astype(np.float32)
    start = whisper.decoder.score_start

    def first_tokens(step: WhisperStep) -> np.ndarray:
        return step.start(enc, start)[1]

    expected = first_tokens(whisper.decoder.steps)
    stale = tmp_path / "whisper-decoder-of-a-model-reinstalled-since"
    (stale / "weights.bin").parent.mkdir()
    (stale / "weights.bin").write_bytes(b"old")
    built = first_tokens(WhisperStep.load(model_folder(), cache=tmp_path))
    assert not stale.exists()  # the graph of another model file is removed
    (graph,) = tmp_path.glob("whisper-decoder-*/decoder.onnx")
    weights = graph.with_name("weights.bin")
    written, size = graph.stat().st_mtime_ns, weights.stat().st_size
    assert first_tokens(WhisperStep.load(model_folder(), cache=tmp_path)) == pytest.approx(built)
    assert graph.stat().st_mtime_ns == written
    assert built == pytest.approx(expected, abs=1e-4)

    for damaged, data in ((graph, b"not a graph"), (weights, weights.read_bytes()[:1000])):
        damaged.write_bytes(data)
        caplog.clear()
        with caplog.at_level("WARNING"):
            again = first_tokens(WhisperStep.load(model_folder(), cache=tmp_path))
        assert again == pytest.approx(built, abs=1e-4)
        assert "building the decoder again" in caplog.text
        assert weights.stat().st_size == size

    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    caplog.clear()
    with caplog.at_level("WARNING"):
        in_memory = first_tokens(WhisperStep.load(model_folder(), cache=blocked))
    assert in_memory == pytest.approx(built, abs=1e-4)
    assert "cannot cache the decoder" in caplog.text


@pytest.mark.parametrize("rows", [64, 12])
def test_texts_scored_together_score_as_each_alone(whisper, monkeypatch, rows) -> None:
    """A pass scores texts of different lengths (the shorter padded at their end) as a pass
    per text does, in one pass or, with fewer rows a pass, several (within the 8-bit kernel's
    rounding: float sums that differ in the last bit between shapes can round an activation to
    the next 8-bit step); a repeated text is scored once and answered twice."""
    from synth_helpers import piper_wav

    from assistant.asr import whisper_decode
    from assistant.audio.wav import read_wav

    dec = whisper.decoder
    enc = dec.encode(read_wav(piper_wav("cancel my alarm")).astype(np.float32) / 32768)
    texts = ["cancel my alarm", "cancel all my alarms for tomorrow morning", "cancel my alarm",
             "hi"]
    alone = [dec.score(enc, [t])[0] for t in texts]
    monkeypatch.setattr(whisper_decode, "SCORE_ROWS", rows)
    together = dec.score(enc, texts)
    for part in (0, 1):  # the sum and the end's own
        assert [s[part] for s in together] == pytest.approx([s[part] for s in alone], abs=0.15)
    assert together[0] == together[2] and together[0].logprob == max(s.logprob for s in together)


def test_a_one_hypothesis_cache_serves_every_hypothesis(whisper) -> None:
    """A step from the start cache with several tokens gives each the log-probabilities it gets
    alone (the search's first step broadcasts the prompt's cache)."""
    steps = whisper.decoder.steps
    enc = np.random.default_rng(1).standard_normal((1, 200, 384)).astype(np.float32)
    cache, _ = steps.start(enc, whisper.decoder.score_start)
    _, both = steps.step(cache, [[262], [1110]])
    for row, token in enumerate((262, 1110)):
        assert both[row] == pytest.approx(steps.step(cache, [[token]])[1][0], abs=1e-4)


def test_side_by_side_or_one_after_the_other_hear_the_same(whisper) -> None:
    """The free decode (and the scoring of the sentences near it) on a second core while the
    grammar is followed on the first gives what one core doing both in turn gives, commands
    and silence alike."""
    from synth_helpers import espeak_wav, piper_wav

    from assistant.audio.wav import read_wav

    clips = [read_wav(piper_wav("cancel my alarm")), read_wav(espeak_wav("is my alarm set", "en-gb+m3")),
             np.zeros(16000, np.int16)]

    def hear(x: np.ndarray) -> tuple:
        whisper.reset()
        whisper.accept(x)
        got = whisper.final()
        return got.text, got.source, pytest.approx(got.confidence, abs=0.01), whisper.written

    heard = {}
    for side_by_side in (True, False):
        whisper.side_by_side = side_by_side
        try:
            heard[side_by_side] = [hear(x) for x in clips]
        finally:
            whisper.side_by_side = True
    assert heard[True] == heard[False]
    assert [h[0] for h in heard[True]] == ["cancel my alarm", "is my alarm set", ""]


def test_a_command_whisper_wrote_surely_is_not_searched_for_again(whisper, monkeypatch) -> None:
    """When the free decode wrote a command sentence and was sure of it, the search along the
    grammar is told to stop (one core: before its first step) and what it found is not weighed;
    a sentence Whisper misheard is searched for to the end."""
    from synth_helpers import espeak_wav, piper_wav

    from assistant.audio.wav import read_wav

    follow = whisper.decoder.follow
    calls: list[tuple[bool, bool, dict]] = []

    def spied(*args, stop, **kw):  # noqa: ANN001, ANN202
        before = stop()
        found = follow(*args, stop=stop, **kw)
        calls.append((before, stop(), found))
        return found

    monkeypatch.setattr(whisper.decoder, "follow", spied)
    whisper.side_by_side = False
    try:
        heard = []
        for x in (read_wav(piper_wav("cancel my alarm")),
                  read_wav(espeak_wav("is my alarm set", "en-gb+m3"))):
            whisper.reset()
            whisper.accept(x)
            heard.append(whisper.final())
    finally:
        whisper.side_by_side = True
    (sure_before, _, found), (unsure_before, unsure_after, misheard_found) = calls
    assert sure_before and found == {}
    assert heard[0].text == "cancel my alarm" and whisper.steering.wrote_command(
        "cancel my alarm", 0.0)
    assert not unsure_before and not unsure_after  # "is my long set" is no command
    assert "is my alarm set" in misheard_found and heard[1].text == "is my alarm set"


@pytest.mark.parametrize("voice,sentence", [("en-gb+m3", "is my alarm set"),
                                            ("en-gb-scotland", "how many cups in a liter"),
                                            ("en-gb-x-rp+f2", "how long until new year's eve")])
def test_a_voice_whisper_mishears_is_heard_along_the_grammar(whisper, voice, sentence) -> None:
    """Whisper writes "is my long set", "home minute cups and i'll eat on", "have long until new
    york" for these robotic voices; correcting what it wrote does not get there, decoding along
    the grammar does, and steering takes it."""
    from synth_helpers import espeak_wav

    from assistant.asr.vocabulary import Vocabulary
    from assistant.asr.whisper import from_config
    from assistant.audio.wav import read_wav
    from assistant.config import AsrConfig

    x = read_wav(espeak_wav(sentence, voice))
    only_correcting = from_config(AsrConfig(whisper_partials=False, whisper_grammar_beam=0),
                                  Vocabulary())
    for rec in (whisper, only_correcting):
        rec.reset()
        rec.accept(x)
    got, without = whisper.final(), only_correcting.final()
    assert whisper.free.text != sentence  # what it wrote freely is wrong
    assert (got.text, got.source) == (sentence, "grammar")
    assert without.text != sentence
