"""Shopping and to-do lists: add, remove, read, clear (after a yes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import accumulate

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult, to_epoch
from assistant.skills.render import count_of, say_list
from assistant.store import Store
from assistant.values.phrases import clean_phrase
from assistant.values.written import spoken

SCHEMA = [
    "CREATE TABLE list_items (id INTEGER PRIMARY KEY, list TEXT NOT NULL, item TEXT NOT NULL, "
    "added REAL NOT NULL, UNIQUE(list, item))"
]
DEFAULT_LIST = "shopping"


# Things people buy whose name has an "and" in it: each stays one item. ("bread and butter",
# "salt and pepper" are left out: on a shopping list they are usually two things.)
PAIRED = ("fish and chips", "mac and cheese", "macaroni and cheese", "half and half",
          "salt and vinegar", "sweet and sour", "cookies and cream", "pork and beans",
          "peanut butter and jelly")
_PAIRED = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in PAIRED), re.I)


# "add milk to it" right after the list was named: "it" is that list, not part of the item
_TO_IT = re.compile(r"\s+(?:to|on|onto|from|off)\s+(?:it|that|there|that list)\s*$", re.I)


def split_items(text: str) -> list[str]:
    """ "milk, eggs and some bread" -> ["milk", "eggs", "bread"]; "fish and chips" stays whole;
    "milk to it" is milk."""
    text = _PAIRED.sub(lambda m: re.sub(r"\s+and\s+", " \0 ", m.group(0), flags=re.I), text)
    parts = re.split(r",|\band\b|\bplus\b|\balso\b", _TO_IT.sub("", text), flags=re.I)
    return [p for p in (clean_phrase(x.replace(" \0 ", " and ")) for x in parts) if p]


def items_said(item: str, written: str) -> list[str]:
    """``split_items`` of the item slot, cut also where the written text had a comma: typed
    "apples, bananas and pears" is three items, though its spoken words ("apples bananas and
    pears") read as two."""
    words = item.lower().split()
    chunks = [spoken(c).split() for c in written.split(",")] if "," in written else []
    flat = [w for chunk in chunks for w in chunk]
    ends = set(accumulate(len(chunk) for chunk in chunks))
    for start in range(len(flat) - len(words) + 1):
        if words and flat[start:start + len(words)] == words:
            cuts = sorted(end - start for end in ends if start < end < start + len(words))
            parts = [" ".join(words[a:b]) for a, b in zip([0, *cuts], [*cuts, len(words)], strict=True)]
            return [x for part in parts for x in split_items(part)]
    return split_items(item)


def _singular(item: str) -> str:
    """ "eggs" and "egg" are the same item when asking whether it is on a list."""
    return item[:-1] if item.endswith("s") and not item.endswith("ss") else item


class ListSkill(BaseSkill):
    name = "lists"
    intents = frozenset({"list_add", "list_remove", "list_read", "list_clear"})
    summary = "keep shopping and to-do lists"

    def setup(self, store: Store) -> None:
        store.migrate("skills.lists", SCHEMA)

    def handle(self, request: SkillRequest) -> SkillResult:
        handlers: dict[str, Callable[[SkillRequest, str], SkillResult]] = {
            "list_add": self._add, "list_remove": self._remove, "list_read": self._read,
            "list_clear": self._clear}
        name = request.value("list") or request.topic.get("list") or DEFAULT_LIST
        request.topic["list"] = name
        return handlers[request.understanding.intent](request, name)

    def _items(self, store: Store, name: str) -> list[str]:
        return [r["item"] for r in store.query(
            "SELECT item FROM list_items WHERE list=? ORDER BY id", (name,))]

    def _add(self, req: SkillRequest, name: str) -> SkillResult:
        items = items_said(req.slot_text("item") or "", req.understanding.written)
        if not items:
            return SkillResult("list.ask_item", {"list": name}, missing="item")
        with req.store.transaction() as c:
            added = [i for i in items if c.execute(
                "INSERT OR IGNORE INTO list_items(list, item, added) VALUES(?, ?, ?)",
                (name, i, to_epoch(req.now))).rowcount]
        already = [i for i in items if i not in added]
        key = "list.added" if added and not already else "list.added_some" if added else "list.already"
        return SkillResult(key, {"list": name, "items": say_list(added), "already": say_list(already),
                                 "added": added})

    def _remove(self, req: SkillRequest, name: str) -> SkillResult:
        items = items_said(req.slot_text("item") or "", req.understanding.written)
        if not items:
            return SkillResult("list.ask_remove", {"list": name}, missing="item")
        with req.store.transaction() as c:
            removed = [i for i in items if c.execute(
                "DELETE FROM list_items WHERE list=? AND item=?", (name, i)).rowcount]
        missing = [i for i in items if i not in removed]
        if not removed:
            return SkillResult("list.not_on", {"list": name, "items": say_list(missing, "or")}, ok=False)
        return SkillResult("list.removed", {"list": name, "items": say_list(removed),
                                            "removed": removed})

    def _read(self, req: SkillRequest, name: str) -> SkillResult:
        items = self._items(req.store, name)
        asked = items_said(req.slot_text("item") or "", req.understanding.written)
        if asked:  # "is milk on my list": yes or no, not the whole list
            listed = {_singular(i) for i in items}
            on = [a for a in asked if _singular(a) in listed]
            off = [a for a in asked if a not in on]
            key = "list.has" if not off else "list.has_not" if not on else "list.has_some"
            return SkillResult(key, {"list": name, "items": say_list(on), "missing": say_list(off, "or")})
        if not items:
            return SkillResult("list.empty", {"list": name})
        return SkillResult("list.read", {"list": name, "items": say_list(items), "count": count_of(len(items), "item"),
                                         "all": items})

    def _clear(self, req: SkillRequest, name: str) -> SkillResult:
        count = len(self._items(req.store, name))
        if not count:
            return SkillResult("list.already_empty", {"list": name})
        if not req.confirmed:
            return SkillResult("list.confirm_clear", {"list": name, "count": count_of(count, "item")},
                                confirm=True)
        with req.store.transaction() as c:
            c.execute("DELETE FROM list_items WHERE list=?", (name,))
        return SkillResult("list.cleared", {"list": name, "count": count_of(count, "item")})
