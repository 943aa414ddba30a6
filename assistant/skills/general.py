"""Open questions: streamed from the generative model when there is one, otherwise an honest
"I don't know that offline". A model that fails mid-answer ends the answer, not the loop."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from assistant.errors import HearthError
from assistant.skills.base import BaseSkill, Generate, SkillRequest, SkillResult

log = logging.getLogger(__name__)
FALLBACK = "Sorry, I don't know that offline."


def guarded_stream(generate: Generate, prompt: str) -> Iterator[str]:
    """The model's sentences; on an error or an empty answer, the fallback sentence instead."""
    said = False
    try:
        for sentence in generate(prompt):
            if sentence and sentence.strip():
                said = True
                yield sentence.strip()
    except HearthError as e:  # a model that will not load: said in one line
        log.warning("generative model off: %s", e)
    except Exception:
        log.exception("generative model failed")
    if not said:
        yield FALLBACK


QUESTION_STARTS = frozenset(
    ["who", "what", "when", "where", "why", "how", "which", "whose", "is", "are", "was", "were", "do", "does", "did", "can", "could", "tell", "explain"])


def is_question(text: str) -> bool:
    """Question-shaped ("who wrote hamlet", "tell me about owls"), not a task ("book a flight")."""
    words = text.lower().split()
    return bool(words) and words[0] in QUESTION_STARTS


class GeneralSkill(BaseSkill):
    """Open questions go to the model; out-of-scope *questions* too (the data sets file many
    factoid questions as out of scope), while out-of-scope tasks get an honest no."""

    name = "general"
    intents = frozenset({"general_question", "out_of_scope"})

    def handle(self, request: SkillRequest) -> SkillResult:
        oos = request.understanding.intent == "out_of_scope"
        if oos and (request.generate is None or not is_question(request.text)):
            return SkillResult("general.out_of_scope", ok=False)
        if request.generate is None:
            return SkillResult("general.unknown", ok=False)
        return SkillResult("general.answer", stream=guarded_stream(request.generate, request.text))
