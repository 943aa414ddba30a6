"""Small talk, help, and the things Hearth honestly cannot do offline: one table maps each
intent to its template, so adding a canned answer is one line."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.skills.render import say_list

CANNED: dict[str, str] = {
    "greeting": "chat.greeting", "thanks": "chat.thanks", "identity": "chat.identity",
    "joke": "chat.joke", "affirm": "chat.affirm", "negate": "chat.negate",
    "weather_query": "offline.weather", "news_query": "offline.news",
    "play_music": "offline.music",
}
LIGHTS = {"lights_on": "on", "lights_off": "off"}
# a greeting that names a part of the day is answered in kind ("good night" -> "Good night!")
PARTS_OF_DAY = ("morning", "afternoon", "evening", "night")


class ChatSkill(BaseSkill):
    name = "chat"
    intents = frozenset(CANNED) | frozenset(LIGHTS)

    def handle(self, request: SkillRequest) -> SkillResult:
        intent = request.understanding.intent
        if intent in LIGHTS:
            place = request.slot_text("place")
            return SkillResult("offline.lights", {
                "state": LIGHTS[intent], "lights": f"the {place} lights" if place else "the lights"},
                ok=False)
        if intent == "greeting":
            words = request.words() | {w.removeprefix("good") for w in request.words()}
            part = next((p for p in PARTS_OF_DAY if p in words), None)
            if part == "night":
                return SkillResult("chat.good_night")
            if part is not None:
                return SkillResult("chat.good_day", {"part": part})
            if {"how", "you"} <= words:  # "how are you (doing)": an answer, not "Hello!"
                return SkillResult("chat.how_are_you")
            if words & {"bye", "goodbye", "see", "later"}:
                return SkillResult("chat.goodbye")
        return SkillResult(CANNED[intent], ok=not CANNED[intent].startswith("offline."))


class HelpSkill(BaseSkill):
    """Says what the installed skills can do, built from their summaries."""

    name = "help"
    intents = frozenset({"help"})

    def __init__(self, summaries: Iterable[str]) -> None:
        self.summaries = [s for s in summaries if s]

    def handle(self, request: SkillRequest) -> SkillResult:
        return SkillResult("help", {"abilities": say_list(self.summaries)})
