"""Open questions: streamed from the generative model when there is one, otherwise an honest
"I don't know that offline". A model that fails mid-answer ends the answer, not the loop."""

from __future__ import annotations

import logging
from collections.abc import Iterator

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
    except Exception:
        log.exception("generative model failed")
    if not said:
        yield FALLBACK


class GeneralSkill(BaseSkill):
    name = "general"
    intents = frozenset({"general_question", "out_of_scope"})

    def handle(self, request: SkillRequest) -> SkillResult:
        if request.understanding.intent == "out_of_scope":
            return SkillResult("general.out_of_scope", ok=False)
        if request.generate is None:
            return SkillResult("general.unknown", ok=False)
        return SkillResult("general.answer", stream=guarded_stream(request.generate, request.text))
