"""pocketsphinx as Hearth builds it: the command language model ("domain"), optionally with the
command grammar and a phone loop beside it (grammar first), or the general English model."""

from __future__ import annotations

from assistant.asr import pronounce
from assistant.asr.base import Recognizer
from assistant.asr.domain_lm import build_domain_lm, dict_path, word_dict
from assistant.asr.grammar_first import GrammarFirstRecognizer
from assistant.asr.sphinx_backend import SphinxModel, SphinxRecognizer, make_decoder, phone_loop
from assistant.asr.sphinx_grammar import build_grammar
from assistant.asr.vocabulary import Vocabulary
from assistant.config import AsrConfig
from assistant.registry import Registry
from assistant.sentences.load import SentenceSet, builtin


def from_config(cfg: AsrConfig, vocabulary: Vocabulary) -> Recognizer:
    """The ``asr.language_model`` search, built for ``vocabulary``."""
    return SEARCHES[cfg.language_model](cfg, vocabulary, SphinxModel.bundled())


def general(cfg: AsrConfig, vocabulary: Vocabulary, model: SphinxModel) -> Recognizer:
    """The bundled general English model, the household's words added to its dictionary."""
    decoder = make_decoder(model.hmm, model.dict, lm=model.lm)
    pronounce.add_missing_words(decoder, [*cfg.extra_words, *vocabulary.words])
    return SphinxRecognizer(decoder, label="pocketsphinx-general")


def domain(cfg: AsrConfig, vocabulary: Vocabulary, model: SphinxModel) -> Recognizer:
    """The command language model sampled from the templates (and grammar first, if asked)."""
    lm = build_domain_lm(vocabulary.sentences, [*cfg.extra_words, *vocabulary.words],
                         wake_phrases=vocabulary.wake_phrases, templates=vocabulary.templates)
    open_ = SphinxRecognizer(make_decoder(model.hmm, dict_path(lm), lm=lm),
                             label="pocketsphinx-domain")
    if not cfg.grammar_first:
        return open_
    return with_grammar(cfg, model, open_, vocabulary.templates)


def with_grammar(cfg: AsrConfig, model: SphinxModel, open_: SphinxRecognizer,
                 templates: SentenceSet | None) -> GrammarFirstRecognizer:
    """The command grammar and a phone loop beside ``open_`` (see ``asr/grammar_first.py``)."""
    grammar = build_grammar(templates or builtin(), model.dict)
    # bestpath off: pocketsphinx's FSG search spends seconds in the lattice otherwise; beams
    # wider than an LM search's: the grammar is small, and a narrow beam can lose every path
    # to the final state (no hypothesis at all)
    g = make_decoder(model.hmm, grammar.dict, fsg=grammar.fsg, bestpath=False,
                     beam=1e-60, wbeam=1e-40, pbeam=1e-60)
    return GrammarFirstRecognizer(
        SphinxRecognizer(g, "pocketsphinx-grammar", n_alternatives=0, source="grammar"), open_,
        SphinxRecognizer(phone_loop(model, word_dict(["a"])), "phone-loop", n_alternatives=0),
        cfg.grammar_threshold)


SEARCHES: Registry[Recognizer] = Registry(
    "asr.language_model", {"domain": domain, "general": general})
