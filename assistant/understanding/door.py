"""The door every text comes in by (the loop's recognizer, ``assistant ask``, Home Assistant's
transcripts from any speech-to-text): written forms become spoken words, then the sentence
templates, then the model, and for what the model calls out of scope, the household's custom
intents said in other words (``near.py``).
"""

from __future__ import annotations

from dataclasses import replace

from assistant.events import Understanding
from assistant.sentences.load import SentenceSet
from assistant.understanding.base import Understander
from assistant.understanding.intents import OUT_OF_SCOPE
from assistant.understanding.near import NearTemplates
from assistant.understanding.templates import TemplateMatcher
from assistant.values.written import spoken


class TemplateUnderstander:
    """Templates first, then ``inner`` (the NLU model or the keyword matcher), then near
    templates. Written forms ("5:30 p.m.", "12-ounce", "50%") become the spoken words the
    templates, slot values and the model read."""

    def __init__(self, inner: Understander, sentences: SentenceSet) -> None:
        self.inner = inner
        self.matcher = TemplateMatcher(sentences)
        self.near = NearTemplates(sentences)
        self.name = inner.name
        self.version = f"templates + {inner.version}"

    def parse(self, text: str) -> Understanding:
        said = spoken(text)
        u = self.matcher.match(said) or self.inner.parse(said)
        if u.intent == OUT_OF_SCOPE:  # a custom command in other words? (``near.py``)
            u = self.near.match(said) or u
        return replace(u, written=text)
