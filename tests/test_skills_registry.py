"""The skill registry: time limits, crash apologies, third-party entry points, templates."""

from __future__ import annotations

import threading
from importlib.metadata import EntryPoint

import pytest
from skills_helpers import Conversation

import assistant.skills.registry as registry
from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.skills.render import Renderer
from assistant.skills.templates import TEMPLATES
from assistant.understanding.intents import INTENTS


class SlowSkill(BaseSkill):
    name = "slow"
    intents = frozenset({"joke"})

    def __init__(self) -> None:
        self.release = threading.Event()

    def handle(self, request: SkillRequest) -> SkillResult:
        self.release.wait(5)
        return SkillResult("chat.joke")


class CrashingSkill(BaseSkill):
    name = "crash"
    intents = frozenset({"greeting"})

    def handle(self, request: SkillRequest) -> SkillResult:
        raise ZeroDivisionError("bug")


class WeatherPlugin(BaseSkill):
    name = "weather-station"
    intents = frozenset({"weather_query"})
    summary = "read the weather station"
    templates = {"weather.now": ["It's {temp} degrees outside."]}

    def handle(self, request: SkillRequest) -> SkillResult:
        return SkillResult("weather.now", {"temp": 12})


def test_slow_skill_times_out_and_the_loop_goes_on() -> None:
    slow = SlowSkill()
    c = Conversation(skills=[slow, *registry.builtin_skills()], skill_timeout=0.1)
    r = c.say("tell me a joke", "joke")
    slow.release.set()
    assert r.text == "Sorry, that took too long." and not r.ok
    assert c.key("what time is it", "datetime_query") == "clock.time"


def test_crashing_skill_apologises(caplog: pytest.LogCaptureFixture) -> None:
    c = Conversation(skills=[CrashingSkill(), *registry.builtin_skills()])
    r = c.say("hello", "greeting")
    assert r.data["key"] == "skill.error" and not r.ok and r.text.startswith("Sorry")
    assert "ZeroDivisionError" in caplog.text


def test_entry_point_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    eps = [EntryPoint("station", f"{__name__}:WeatherPlugin", registry.ENTRY_POINT_GROUP),
           EntryPoint("broken", "no_such_module_xyz:Skill", registry.ENTRY_POINT_GROUP)]
    monkeypatch.setattr(registry, "entry_points", lambda group: eps)
    c = Conversation(plugins=True)
    assert c.say("weather?", "weather_query").data["key"] == "offline.weather"  # built-in wins
    c = Conversation(skills=[s for s in registry.builtin_skills() if s.name != "chat"],
                     plugins=True)
    r = c.say("weather?", "weather_query")
    assert r.text == "It's 12 degrees outside."
    assert "read the weather station" in c.say("help", "help").text


def test_every_intent_has_a_handler() -> None:
    c = Conversation()
    handled = set(c.dm.registry.by_intent) | {"stop", "cancel", "repeat"}
    assert set(INTENTS) <= handled


def test_renderer_is_seeded_and_varied() -> None:
    a = [Renderer(seed=1).render("chat.greeting") for _ in range(3)]
    assert a == [Renderer(seed=1).render("chat.greeting") for _ in range(3)]
    r = Renderer(seed=3)
    assert len({r.render("chat.joke") for _ in range(40)}) > 1
    with pytest.raises(KeyError):
        Renderer().render("timer.set", {})


def test_templates_are_well_formed() -> None:
    for key, options in TEMPLATES.items():
        assert options, key
        for text in options:
            text.format_map(_AnyFields())


class _AnyFields(dict):
    def __missing__(self, key: str) -> str:
        return "x"
