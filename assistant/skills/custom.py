"""Custom intents from ``<config dir>/intents/*.yaml``: say the ``response``, run the ``command``.

The command is an argv list with ``{slot}`` placeholders filled from the slot values, run
without a shell (a slot value can never become shell syntax) under the rules of
:mod:`assistant.skills.command`; when a slot is missing or unsafe, or the command fails, times
out or is missing, the person hears one sentence saying so and the loop goes on.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from typing import Any

from assistant.sentences.load import CustomIntent
from assistant.skills.base import BaseSkill, SkillRequest, SkillResult
from assistant.skills.command import (
    COMMAND_TIMEOUT_S,
    CommandRefused,
    CommandRunner,
    argv_for,
    environment,
    shared_runner,
)

log = logging.getLogger(__name__)


class _Blank(dict):
    """``format_map`` mapping: a slot that was not said is empty, never a KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with ``{slot}`` replaced by the slot's spoken value ("" when not said)."""
    try:
        return " ".join(string.Formatter().vformat(template, (), _Blank(values)).split())
    except (ValueError, IndexError):
        return template  # a stray brace: say it as written rather than fail


def spoken(value: Any) -> str:
    """A slot value as words in a reply or an argument (20.0 -> "20")."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value)


class CustomIntentSkill(BaseSkill):
    """Every custom intent loaded from the household's template files."""

    name = "custom"
    summary = ""

    def __init__(self, custom: Mapping[str, CustomIntent], timeout_s: float = COMMAND_TIMEOUT_S,
                 runner: CommandRunner | None = None) -> None:
        self.custom = dict(custom)
        self.intents = frozenset(self.custom)
        self.timeout_s = timeout_s
        self.runner = runner or shared_runner()

    def handle(self, request: SkillRequest) -> SkillResult:
        intent = self.custom[request.understanding.intent]
        values = {s.name: spoken(s.value if s.value is not None else s.text)
                  for s in request.understanding.slots}
        what = _words(intent.name)
        if intent.command:
            try:
                problem = self.run(intent, values)
            except CommandRefused as e:
                return SkillResult("custom.not_run", {"what": what, "why": str(e)}, ok=False)
            if problem:
                return SkillResult("custom.failed", {"what": what, "why": problem}, ok=False)
        if intent.response:
            return SkillResult("custom.done", {"what": what}, text=fill(intent.response, values))
        return SkillResult("custom.done", {"what": what})

    def run(self, intent: CustomIntent, values: Mapping[str, str]) -> str | None:
        """Run the intent's command; None when it worked, else why not (a few words).
        ``CommandRefused`` when it may not run (commands off here, a slot missing or unsafe,
        another one running)."""
        if intent.command_off:
            log.warning("custom intent %s: not run: %s", intent.name, intent.command_off)
            raise CommandRefused(intent.command_off)
        argv, slots = argv_for(intent, values)
        try:
            done = self.runner.run(argv, environment(intent, slots), self.timeout_s)
        except OSError as e:
            log.warning("custom intent %s: cannot run %s: %s", intent.name, argv[0], e)
            return "its command could not be started"
        if done.code is None:
            log.warning("custom intent %s: %s timed out after %.0f s; its process group was killed",
                        intent.name, argv[0], self.timeout_s)
            return "it took too long"
        if done.code != 0:
            last = done.last_line
            log.warning("custom intent %s: %s exited with %d%s", intent.name, argv[0],
                        done.code, f": {last}" if last else "")
            return f"its command failed with code {done.code}"
        log.info("custom intent %s: ran %s", intent.name, argv)
        return None


def _words(name: str) -> str:
    """An intent name as words: "WaterGarden" -> "water garden", "feed_cat" -> "feed cat"."""
    out = []
    for ch in name.replace("_", " ").replace("-", " "):
        if ch.isupper() and out and out[-1] not in " ":
            out.append(" ")
        out.append(ch.lower())
    return " ".join("".join(out).split())
