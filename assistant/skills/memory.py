"""Memory: "remember that my car is on level three" / "where is my car?" / "forget ...".

Recall matches the question to stored facts by overlap of content words (lightly stemmed), so
"where did I park" finds "I parked on level three"; a new fact that mostly repeats an old one
("my car is on level five") replaces it."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.skills.base import BaseSkill, SkillRequest, SkillResult, to_epoch
from assistant.skills.render import count_of, you_form
from assistant.store import Store

SCHEMA = ["CREATE TABLE memories (id INTEGER PRIMARY KEY, fact TEXT NOT NULL, created REAL NOT NULL)"]
STOPWORDS = frozenset({
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "my", "i", "me", "you", "your",
    "it", "its", "of", "on", "in", "at", "to", "for", "and", "or", "that", "this", "what",
    "where", "when", "who", "how", "which", "did", "do", "does", "have", "has", "had",
    "remember", "forget", "recall", "tell", "told", "say", "said", "about", "know", "put", "left",
    "keep", "kept",
    "please", "can", "could", "will", "would", "there", "here", "any", "anything",
})
ALL_WORDS = {"everything", "all"}
REPLACE_SIMILARITY = 0.5


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """The words that carry meaning, stemmed: "where did I park my car" -> {"park", "car"}."""
    return {_stem(w) for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOPWORDS}


def _fact(text: str) -> str:
    """ "remember that my car is on level three" -> "my car is on level three"."""
    return re.sub(r"^(please\s+)?(remember|note|don't forget)\s+(that\s+)?", "", text.strip(),
                  flags=re.I).strip(" .")


class MemorySkill(BaseSkill):
    name = "memory"
    intents = frozenset({"memory_remember", "memory_recall", "memory_forget"})
    summary = "remember where you put things"

    def setup(self, store: Store) -> None:
        store.migrate("skills.memory", SCHEMA)

    def handle(self, request: SkillRequest) -> SkillResult:
        handlers: dict[str, Callable[[SkillRequest], SkillResult]] = {
            "memory_remember": self._remember, "memory_recall": self._recall,
            "memory_forget": self._forget}
        return handlers[request.understanding.intent](request)

    def _best(self, store: Store, query: str) -> tuple[int, str] | None:
        """The stored fact sharing most content words with ``query`` (newest wins ties)."""
        words = content_words(query)
        best, best_score = None, 0
        for row in store.query("SELECT id, fact FROM memories ORDER BY id"):
            score = len(words & content_words(row["fact"]))
            if score >= best_score and score > 0:
                best, best_score = (row["id"], row["fact"]), score
        return best

    def _remember(self, req: SkillRequest) -> SkillResult:
        fact = _fact(req.slot_text("fact") or "")
        if not content_words(fact):
            return SkillResult("memory.ask_fact", missing="fact")
        words = content_words(fact)
        with req.store.transaction() as c:
            replaced = [r["id"] for r in c.execute("SELECT id, fact FROM memories").fetchall()
                        if len(words & content_words(r["fact"])) / len(words | content_words(r["fact"]))
                        >= REPLACE_SIMILARITY]
            c.executemany("DELETE FROM memories WHERE id=?", [(i,) for i in replaced])
            c.execute("INSERT INTO memories(fact, created) VALUES(?, ?)", (fact, to_epoch(req.now)))
        return SkillResult("memory.remembered", {"fact": you_form(fact), "replaced": len(replaced)})

    def _query(self, req: SkillRequest) -> str:
        return req.slot_text("query") or req.text

    def _recall(self, req: SkillRequest) -> SkillResult:
        query = self._query(req)
        if not content_words(query) or req.words() & {"everything"}:
            facts = [r["fact"] for r in req.store.query("SELECT fact FROM memories ORDER BY id")]
            if not facts:
                return SkillResult("memory.empty")
            return SkillResult("memory.list", {"facts": ". ".join(you_form(f) for f in facts)})
        best = self._best(req.store, query)
        if best is None:
            return SkillResult("memory.unknown", ok=False)
        return SkillResult("memory.recall", {"fact": you_form(best[1])})

    def _forget(self, req: SkillRequest) -> SkillResult:
        query = self._query(req)
        if req.words() & ALL_WORDS:
            rows = req.store.query("SELECT id, fact FROM memories")
            count = len(rows)
            if not count:
                return SkillResult("memory.empty")
            if count == 1:  # "forget that your car is on level three?", not "all 1 thing"
                return self._forget_one(req, (rows[0]["id"], rows[0]["fact"]))
            if not req.confirmed:
                return SkillResult("memory.confirm_forget_all", {"count": count_of(count, "thing")},
                                   confirm=True)
            with req.store.transaction() as c:
                c.execute("DELETE FROM memories")
            return SkillResult("memory.forgot_all", {"count": count_of(count, "thing")})
        best = self._best(req.store, query)
        if best is None:
            return SkillResult("memory.unknown", ok=False)
        return self._forget_one(req, best)

    @staticmethod
    def _forget_one(req: SkillRequest, best: tuple[int, str]) -> SkillResult:
        if not req.confirmed:
            return SkillResult("memory.confirm_forget", {"fact": you_form(best[1])}, confirm=True)
        with req.store.transaction() as c:
            c.execute("DELETE FROM memories WHERE id=?", (best[0],))
        return SkillResult("memory.forgot", {"fact": you_form(best[1])})
