"""``make_recognizer(cfg.asr)``: the configured engine, model loaded once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.asr.base import Recognizer
from assistant.config import AsrConfig
from assistant.errors import ConfigError
from assistant.sentences.load import SentenceSet

if TYPE_CHECKING:
    from assistant.asr.sphinx_backend import SphinxModel, SphinxRecognizer

log = logging.getLogger(__name__)

DEFAULT_VOSK_MODEL = "vosk-model-small-en-us-0.15"
ENGINES = ("pocketsphinx", "vosk")
LANGUAGE_MODELS = ("domain", "general")


def vosk_model_dir(spec: str) -> Path:
    """A folder path as is; otherwise an installed model name (default: small English)."""
    if spec and (Path(spec).expanduser().is_dir() or "/" in spec):
        return Path(spec).expanduser()
    from assistant.models.registry import locate

    return locate(spec or DEFAULT_VOSK_MODEL)


@dataclass
class Vocabulary:
    """What the household says, learned overnight, plus the wake phrases: all go into the LM
    (a command said right after the wake word often starts with the phrase's last sound)."""

    sentences: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    wake_phrases: list[str] = field(default_factory=lambda: ["hey jarvis"])  # wake.model's default
    templates: SentenceSet | None = None  # None = Hearth's own (no custom intents)


def make_sphinx(cfg: AsrConfig, vocabulary: Vocabulary | None = None) -> Recognizer:
    """pocketsphinx with the command LM ("domain") or the bundled general English LM."""
    vocabulary = vocabulary or Vocabulary()
    words = [*cfg.extra_words, *vocabulary.words]
    from assistant.asr import pronounce
    from assistant.asr.sphinx_backend import SphinxModel, SphinxRecognizer, make_decoder

    if cfg.language_model not in LANGUAGE_MODELS:
        raise ConfigError(
            f"asr.language_model must be one of {', '.join(LANGUAGE_MODELS)}, "
            f"got '{cfg.language_model}'"
        )
    model = SphinxModel.bundled()
    if cfg.language_model == "domain":
        from assistant.asr.domain_lm import build_domain_lm, dict_path

        lm = build_domain_lm(vocabulary.sentences, words, wake_phrases=vocabulary.wake_phrases,
                             templates=vocabulary.templates)
        decoder = make_decoder(model.hmm, dict_path(lm), lm=lm)
        domain = SphinxRecognizer(decoder, label="pocketsphinx-domain")
        if not cfg.grammar_first:
            return domain
        return grammar_first(cfg, model, domain, vocabulary.templates)
    decoder = make_decoder(model.hmm, model.dict, lm=model.lm)
    pronounce.add_missing_words(decoder, words)
    return SphinxRecognizer(decoder, label="pocketsphinx-general")


def grammar_first(cfg: AsrConfig, model: SphinxModel, open_: SphinxRecognizer,
                  templates: SentenceSet | None) -> Recognizer:
    """The command grammar and a phone loop beside ``open_`` (see ``asr/grammar_first.py``)."""
    from assistant.asr.domain_lm import word_dict
    from assistant.asr.grammar import build_grammar
    from assistant.asr.grammar_first import GrammarFirstRecognizer
    from assistant.asr.sphinx_backend import SphinxRecognizer, make_decoder, phone_loop
    from assistant.sentences.load import builtin

    grammar = build_grammar(templates or builtin(), model.dict)
    # bestpath off: pocketsphinx's FSG search spends seconds in the lattice otherwise; beams
    # wider than an LM search's: the grammar is small, and a narrow beam can lose every path
    # to the final state (no hypothesis at all)
    g = make_decoder(model.hmm, grammar.dict, fsg=grammar.fsg, bestpath=False,
                     beam=1e-60, wbeam=1e-40, pbeam=1e-60)
    return GrammarFirstRecognizer(SphinxRecognizer(g, "pocketsphinx-grammar", n_alternatives=0,
                                                   source="grammar"),
                                  open_, SphinxRecognizer(phone_loop(model, word_dict(["a"])), "phone-loop",
                                                          n_alternatives=0),
                                  cfg.grammar_threshold)


def make_recognizer(cfg: AsrConfig, vocabulary: Vocabulary | None = None) -> Recognizer:
    """The recognizer ``cfg`` asks for; bad settings and missing models raise one clear line."""
    if cfg.engine == "pocketsphinx":
        return make_sphinx(cfg, vocabulary)
    if cfg.engine == "vosk":
        from assistant.asr.vosk_backend import VoskRecognizer, load_model

        return VoskRecognizer(load_model(vosk_model_dir(cfg.vosk_model)))
    raise ConfigError(f"asr.engine must be one of {', '.join(ENGINES)}, got '{cfg.engine}'")
