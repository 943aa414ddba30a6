"""Taking back stored things (alarms, reminders) the way a person expects: the one meant, "which
one?" when several fit, and a yes before deleting them all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from assistant.skills.base import SkillRequest, SkillResult
from assistant.skills.render import count_of, say_list

THAT_WORDS = frozenset({"that", "this", "it"})  # "cancel that (reminder)": the one just set

def cancel(req: SkillRequest, kind: str, table: str, chosen: list[dict], wants_all: bool,
           describe: Callable[[dict, datetime], str], which_slot: str) -> SkillResult:
    """Delete the ``chosen`` rows of ``table`` (``kind`` names the replies: "alarm.which" ...):
    none -> not found; several without "all" -> which (answered in ``which_slot``); several
    with "all" -> a yes first."""
    if not chosen:
        return SkillResult(f"{kind}.not_found", ok=False)
    if len(chosen) > 1 and not wants_all:
        items = [describe(row, req.now) for row in chosen]
        return SkillResult(f"{kind}.which", {f"{kind}s": say_list(items, "or")}, missing=which_slot)
    count = {"count": count_of(len(chosen), kind)}
    if len(chosen) > 1 and not req.confirmed:
        return SkillResult(f"{kind}.confirm_cancel_all", count, confirm=True)
    with req.store.transaction() as c:
        c.executemany(f"DELETE FROM {table} WHERE id=?", [(row["id"],) for row in chosen])
    if len(chosen) > 1:
        return SkillResult(f"{kind}.cancelled_all", count)
    return SkillResult(f"{kind}.cancelled", {"which": describe(chosen[0], req.now)})
