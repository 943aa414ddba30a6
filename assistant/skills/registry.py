"""Which skill handles which intent: the built-in skills plus third-party ones from the
``hearth.skills`` entry point group; and :func:`run_skill`, which gives every call a time limit
and turns a crash into an apology instead of taking the loop down.

A third-party package adds a skill with an entry point naming a class (or factory) that takes
no arguments and follows :class:`assistant.skills.base.Skill`; an optional ``templates`` dict
on it adds its own wordings::

    [project.entry-points."hearth.skills"]
    weather_station = "hearth_weather:WeatherStationSkill"
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from importlib.metadata import entry_points

from assistant.sentences.load import SentenceSet
from assistant.sentences.load import load as load_sentences
from assistant.skills.alarms import AlarmSkill
from assistant.skills.base import DueSource, Skill, SkillRequest, SkillResult
from assistant.skills.calc import CalcSkill
from assistant.skills.chat import ChatSkill, HelpSkill
from assistant.skills.clock import ClockSkill
from assistant.skills.custom import CustomIntentSkill
from assistant.skills.general import GeneralSkill
from assistant.skills.lists import ListSkill
from assistant.skills.memory import MemorySkill
from assistant.skills.reminders import ReminderSkill
from assistant.skills.timers import TimerSkill
from assistant.skills.volume import VolumeSkill
from assistant.store import Store

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "hearth.skills"
DEFAULT_TIMEOUT = 5.0


def builtin_skills(sentences: SentenceSet | None = None) -> list[Skill]:
    """Hearth's skills, and one for the custom intents of ``sentences`` (default: the
    household's files as they are on disk now)."""
    custom = (sentences or load_sentences()).custom
    return [ClockSkill(), TimerSkill(), AlarmSkill(), ReminderSkill(), MemorySkill(), ListSkill(),
            CalcSkill(), VolumeSkill(), ChatSkill(), GeneralSkill(), CustomIntentSkill(custom)]


def plugin_skills(group: str = ENTRY_POINT_GROUP) -> list[Skill]:
    """Third-party skills: each entry point names a Skill class (or factory) taking no args.
    A broken plugin is logged and skipped."""
    skills: list[Skill] = []
    for ep in entry_points(group=group):
        try:
            skill = ep.load()()
            if not isinstance(skill, Skill):
                raise TypeError("not a Skill (needs name, intents, summary, setup, handle)")
            skills.append(skill)
        except Exception as e:
            log.warning("skill plugin %s skipped: %s", ep.name, e)
    return skills


class SkillRegistry:
    """Intent -> skill. Later skills do not override earlier ones: built-ins win conflicts."""

    def __init__(self, store: Store, skills: Iterable[Skill] | None = None,
                 plugins: bool = True) -> None:
        chosen = list(skills) if skills is not None else builtin_skills()
        if plugins:
            chosen += plugin_skills()
        chosen.append(HelpSkill(s.summary for s in chosen))
        self.skills: list[Skill] = []
        self.by_intent: dict[str, Skill] = {}
        for skill in chosen:
            try:
                skill.setup(store)
            except Exception as e:
                log.warning("skill %s disabled: setup failed: %s", skill.name, e)
                continue
            self.skills.append(skill)
            for intent in skill.intents:
                if intent in self.by_intent:
                    log.warning("intent %s: %s ignored, %s handles it", intent, skill.name,
                                self.by_intent[intent].name)
                    continue
                self.by_intent[intent] = skill

    def for_intent(self, intent: str) -> Skill | None:
        return self.by_intent.get(intent)

    def due_sources(self) -> list[DueSource]:
        return [s for s in self.skills if isinstance(s, DueSource)]


def run_skill(skill: Skill, request: SkillRequest, timeout: float = DEFAULT_TIMEOUT) -> SkillResult:
    """Call ``skill.handle`` in a worker thread; past ``timeout`` seconds the user hears
    "that took too long" (the thread is abandoned as a daemon), and any exception becomes an
    apology. Either way the loop goes on."""
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["result"] = skill.handle(request)
        except Exception as e:  # a skill bug must not crash the loop
            log.exception("skill %s failed on %r", skill.name, request.text)
            box["error"] = e

    worker = threading.Thread(target=work, name=f"skill-{skill.name}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        log.warning("skill %s timed out after %.1f s on %r", skill.name, timeout, request.text)
        return SkillResult("skill.timeout", {"skill": skill.name}, ok=False)
    result = box.get("result")
    if not isinstance(result, SkillResult):
        if "error" not in box:
            log.error("skill %s returned %r, not a SkillResult", skill.name, result)
        return SkillResult("skill.error", {"skill": skill.name}, ok=False)
    return result
