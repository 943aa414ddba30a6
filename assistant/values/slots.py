"""Slot values: the one place where a slot's words become its value.

Understanders find spans ("in twenty minutes" as ``time``); :func:`resolve` turns every slot of an
understanding into its value (a datetime, seconds, a canonical unit or list name, cleaned free
text) against the clock of the turn that acts on it. A slot may arrive with a *meaning* instead of
a value: a string the household or a sentence template says the words stand for ("the den" ->
"living room", "lounge" -> "living_room"); it is normalized in place of the words.

Nothing here raises on odd text: a value that does not parse is None, and the skill asks back.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from assistant.events import Slot, Understanding
from assistant.values.arithmetic import evaluate
from assistant.values.clock import parse_clock, parse_time
from assistant.values.date import parse_date
from assistant.values.duration import parse_duration
from assistant.values.number import parse_number, parse_percent
from assistant.values.phrases import clean_phrase, list_name, parse_level, timer_name
from assistant.values.recurrence import parse_recurrence
from assistant.values.units import canonical_unit

log = logging.getLogger(__name__)

NORMALIZERS: dict[str, Callable[[str, datetime], Any]] = {
    "duration": lambda text, now: parse_duration(text),
    "time": parse_time,
    "date": parse_date,
    "recurrence": lambda text, now: parse_recurrence(text),
    "level": lambda text, now: parse_level(text),
    "amount": lambda text, now: parse_number(text),
    "number": lambda text, now: parse_number(text),
    "percent": lambda text, now: parse_percent(text),
    "from_unit": lambda text, now: canonical_unit(text),
    "to_unit": lambda text, now: canonical_unit(text),
    "expression": lambda text, now: evaluate(text),
    "name": lambda text, now: timer_name(text),
    "list": lambda text, now: list_name(text),
    "item": lambda text, now: clean_phrase(text) or None,
}


def normalize(name: str, text: str, now: datetime | None = None) -> Any:
    """The value of slot ``name`` spoken as ``text`` (seconds, datetime, date, weekday tuple,
    number, canonical name), or the stripped text for slots without a parser; None when it does
    not parse. Never raises: a parser bug must not take the loop down."""
    fn = NORMALIZERS.get(name)
    if fn is None:
        return text.strip() or None
    try:
        return fn(text, now or datetime.now())
    except Exception as e:
        log.debug("normalizing %s=%r failed: %s", name, text, e)
        return None


def meaning(slot: Slot) -> str:
    """The words a slot's value is read from: a given meaning, else what was said."""
    return slot.value if isinstance(slot.value, str) and slot.value.strip() else slot.text


WAKING_HOURS = range(4, 12)  # "wake me up at two" after lunch is a nap, not 2 a.m.


def _waking_hour(text: str, time: str) -> bool:
    """``time`` is a bare hour of the morning ("six", "seven thirty") in a sentence about
    waking up."""
    clock = parse_clock(time)
    return (clock is not None and clock[2] is None and clock[0] in WAKING_HOURS
            and "wake" in text.lower().split())


def resolve(u: Understanding, now: datetime | None = None) -> Understanding:
    """``u`` with every slot's value read against ``now``.

    A ``time`` said apart from its ``date`` ("half past six" ... "tomorrow") is read together
    with it, so the hour is taken as said on that day. An hour of waking said with "wake" and no
    am/pm ("wake me up at six", at two in the afternoon) is the morning's, not the next one
    round. Values that are not text (already resolved) are kept, so resolving twice changes
    nothing.
    """
    now = now or datetime.now()
    date_slot = u.slot("date")
    slots = []
    for s in u.slots:
        if s.value is not None and not isinstance(s.value, str):
            slots.append(s)
            continue
        value = None
        if s.name == "time" and date_slot is not None:
            both = normalize("time", f"{meaning(date_slot)} at {meaning(s)}", now)
            value = both if isinstance(both, datetime) else None
        elif s.name == "time" and _waking_hour(u.text, meaning(s)):
            value = normalize("time", f"{meaning(s)} in the morning", now)
        if value is None:
            value = normalize(s.name, meaning(s), now)
        slots.append(dataclasses.replace(s, value=value))
    return dataclasses.replace(u, slots=slots)
