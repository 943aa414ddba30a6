"""What the recognizer should expect to hear: the household's words and sentences, the wake
phrases and the sentence templates (built-in and custom intents)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.sentences.load import SentenceSet


@dataclass
class Vocabulary:
    """What the household says, learned overnight, plus the wake phrases: all go into the LM
    (a command said right after the wake word often starts with the phrase's last sound)."""

    sentences: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    wake_phrases: list[str] = field(default_factory=lambda: ["hey jarvis"])  # wake.model's default
    templates: SentenceSet | None = None  # None = Hearth's own (no custom intents)
