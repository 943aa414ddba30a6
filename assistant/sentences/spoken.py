"""Templates in spoken words, as every reader after the recognizer hears them.

A transcript reaches the template matcher, the recognizer's grammar and the NLU as spoken words
(``values.written.spoken``: "Put on channel 4" -> "put on channel four"). A template written with
digits or symbols ("put on channel 4", a list value "top 10 hits") would match neither what was
said nor what was typed, so its text is put through the same ``spoken`` when it is loaded. Only
the text between the template syntax (``{list}``, ``<rule>``, ``[ ]``, ``( | )``) is read, and
only a piece holding a digit or a symbol that ``spoken`` says; a list value keeps what was written
as the value a slot gets ("top 10 hits"), and is heard in words.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.values.written import spoken

_SYNTAX = re.compile(r"(\{[^}]*\}|<[^>]*>|[\[\]()|])")
_WRITTEN = re.compile(r"[0-9%$£€&@]")


def spoken_template(template: str) -> str:
    """``template`` with every written form in its text said in words, its syntax untouched."""
    if not _WRITTEN.search(template):
        return template
    parts = _SYNTAX.split(template)
    for i in range(0, len(parts), 2):  # even pieces are text, odd ones syntax
        text = parts[i]
        if _WRITTEN.search(text):
            core = text.strip()
            parts[i] = text[: len(text) - len(text.lstrip())] + spoken(core) + \
                text[len(text.rstrip()):]
    return "".join(parts)


def spoken_templates(data: dict[str, Any]) -> dict[str, Any]:
    """A templates file's data (``intents``, ``lists``, ``expansion_rules``) with its sentences,
    list values and rules in spoken words; changed in place and returned."""
    for body in (data.get("intents") or {}).values():
        for block in body.get("data") or ():
            block["sentences"] = [spoken_template(str(s)) for s in block.get("sentences") or ()]
    for slot_list in (data.get("lists") or {}).values():
        values = slot_list.get("values") if isinstance(slot_list, dict) else None
        for i, value in enumerate(values or ()):
            if isinstance(value, dict) and isinstance(value.get("in"), str):
                value["in"] = spoken_template(value["in"])
            elif isinstance(value, str) and spoken_template(value) != value:
                values[i] = {"in": spoken_template(value), "out": value}
    rules = data.get("expansion_rules") or {}
    for name, rule in rules.items():
        rules[name] = spoken_template(str(rule))
    return data
