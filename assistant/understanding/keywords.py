"""The named fallback understander: regex and keyword rules, no model files at all.

Why: the loop must keep working when the NLU model is missing or broken (and it is the
reference the model is tested against). Every intent of ``intents.INTENTS`` has rules here.
A rule has a strength (0..1) that becomes the confidence: whole-utterance phrasings are
strong, a lone keyword is weak, and a question that matches nothing else is handed to
``general_question`` weakly. Text that matches no rule is ``out_of_scope``.

Slots come from named groups in the winning rule, then from generic extractors (duration,
time, date, recurrence, place, level, timer name, list name) for the intent's other slots.
Free-text slots (task, fact, item, query) are cut where another slot starts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.events import Slot, Understanding
from assistant.understanding.intents import INTENTS, OUT_OF_SCOPE
from assistant.understanding.patterns import (
    DATE,
    DURATION,
    EXPRESSION,
    NUMBER,
    RECURRENCE,
    ROOM,
    TIME,
    TIME_AFTER_AT,
    UNIT,
    VOLUME_LEVEL,
)
from assistant.understanding.text import Words, split_words

# Courtesy words around a command, so anchored rules still match "hey hearth, stop please".
PRE = r"^(?:(?:hey |hi |ok |okay )?(?:hearth|computer),? )?(?:please |just |ok |okay |so |um |uh |can you |could you |would you |will you |i said )*"
POST = r"(?: please| hearth| computer| now| then| thanks| thank you| again)*$"

STRONG, GOOD, WEAK, GUESS = 0.95, 0.85, 0.6, 0.45
MIN_CONFIDENCE = 0.4  # below this no rule really matched: out_of_scope

_TIMER = r"(?:timers?|countdown|stopwatch)"
_LIST = r"(?:(?:my |the |our )?(?:(?P<list>[a-z'-]+(?: [a-z'-]+)?) )?list)"
_CANCEL_VERB = r"(?:cancel|stop|delete|remove|kill|clear|end|turn off|switch off|disable|get rid of|dismiss|erase)"


@dataclass(frozen=True)
class Rule:
    """One phrasing of an intent; named groups in ``pattern`` become slots."""

    intent: str
    strength: float
    pattern: re.Pattern[str]


def _rules(intent: str, strength: float, *patterns: str) -> list[Rule]:
    return [Rule(intent, strength, re.compile(p)) for p in patterns]


RULES: list[Rule] = [
    # --- timers -------------------------------------------------------------------------
    *_rules("timer_set", STRONG,
            rf"\b(?:set|start|create|make|put on|begin|give me|run)\b.*\b{_TIMER}\b.*\b{DURATION}\b",
            rf"\b{DURATION} (?:[a-z]+ )?{_TIMER}\b",
            rf"\b{_TIMER} (?:for|of) {DURATION}\b",
            rf"{PRE}(?:count|countdown) (?:down )?(?:from )?{DURATION}{POST}"),
    *_rules("timer_set", GOOD, rf"\b(?:set|start|create|make|begin|new)\b.*\b{_TIMER}\b",
            rf"{PRE}{_TIMER}{POST}"),
    *_rules("timer_query", STRONG,
            rf"\b(?:how (?:much|long)|what(?:'s| is)?)\b.*\b(?:left|remaining|to go)\b.*\b{_TIMER}\b",
            rf"\b{_TIMER}\b.*\b(?:left|remaining|to go)\b",
            rf"\b(?:check|status of|how(?:'s| is)|where(?:'s| is))\b.*\b{_TIMER}\b",
            rf"\b(?:what|which|any|list|show)\b.*\b{_TIMER}\b.*\b(?:running|set|going|on|active|are there)\b",
            r"\bhow (?:much|long) (?:time )?(?:is )?(?:left|remaining)\b"),
    *_rules("timer_cancel", STRONG, rf"\b{_CANCEL_VERB}\b.*\b{_TIMER}\b"),
    *_rules("timer_pause", STRONG,
            rf"\b(?:pause|resume|unpause|un-pause|continue|restart|hold|freeze)\b.*\b{_TIMER}\b",
            rf"\b{_TIMER}\b.*\b(?:pause|resume|on hold)\b"),
    *_rules("timer_change", STRONG,
            rf"\b(?:change|make|set|update|reset|switch|extend|shorten|adjust)\b.*\b{_TIMER}\b.*\b(?:to|instead|by)\b.*\b{DURATION}\b",
            rf"\b(?:add|take off|remove|subtract) {DURATION} (?:to|from|off|on)\b.*\b{_TIMER}\b",
            rf"{PRE}(?:make|change) (?:it|that) {DURATION}(?: instead)?{POST}",
            rf"{PRE}(?:no,? )?(?:make it |change it to )?{DURATION} instead{POST}"),
    # --- alarms -------------------------------------------------------------------------
    *_rules("alarm_set", STRONG,
            r"\b(?:set|create|make|add|put|schedule|new)\b.*\balarm\b",
            r"\bwake me(?: up)?\b",
            r"\balarm (?:for|at)\b"),
    *_rules("alarm_query", STRONG,
            r"\b(?:what|which|when|list|show|tell me|read|check|any|do i have|are there|how many|is there)\b.*\balarms?\b(?!.*\b(?:for|at)\b.*\d)"),
    *_rules("alarm_cancel", STRONG + 0.01, rf"\b{_CANCEL_VERB}\b.*\balarms?\b",
            r"\balarms?\b.*\b(?:off|cancel(?:led)?)\b"),
    # --- reminders ----------------------------------------------------------------------
    *_rules("reminder_set", STRONG,
            r"\bremind me\b.*?\b(?:to|that|about|of) (?P<task>.+)",
            r"\b(?:set|create|make|add|new) (?:a |me a )?reminder\b.*?\b(?:to|that|about|for) (?P<task>.+)",
            r"\bdon'?t let me forget (?:to |about )?(?P<task>.+)"),
    *_rules("reminder_set", GOOD, r"\bremind me\b", r"\b(?:set|create|make|add|new) (?:a |me a )?reminder\b"),
    *_rules("reminder_query", STRONG,
            r"\b(?:what|which|any|list|show|read|tell me|do i have|check)\b.*\breminders?\b",
            r"\bmy reminders\b"),
    *_rules("reminder_cancel", STRONG + 0.01,
            rf"\b{_CANCEL_VERB}\b (?:my |the |that )?reminders? (?:to|about|for|of) (?P<task>.+)",
            rf"\b{_CANCEL_VERB}\b.*\breminders?\b"),
    # --- memory -------------------------------------------------------------------------
    *_rules("memory_remember", STRONG,
            rf"{PRE}(?:remember|note|keep in mind|don'?t forget|make a note|take a note|memorize)(?: that| this| of)?:? (?P<fact>.+)",
            r"^(?P<fact>(?:i|we) (?:put|left|parked|hid|placed|stored|keep|kept) .+)"),
    *_rules("memory_recall", STRONG + 0.02,
            r"\bwhere (?:is|are|did (?:i|we) (?:put|leave|park|hide)|(?:'s|'re)) (?P<query>.+)",
            r"^where(?:'s|'re) (?P<query>.+)",
            r"\b(?:what did i (?:say|tell you)|what do you (?:know|remember)) about (?P<query>.+)",
            r"\bdo you remember (?:where |what |when )?(?P<query>.+)",
            r"\bwhat (?:was|is) (?P<query>my .+)",
            r"\bwhat did i (?:ask you to remember|tell you to remember)\b(?: about)? ?(?P<query>.*)"),
    *_rules("memory_forget", STRONG + 0.02,
            rf"{PRE}forget (?:about |that |what i said about |where )?(?P<query>(?!it$).+)",
            r"\b(?:delete|erase|remove|clear) (?:the |my )?(?:memory|note|memories|notes) (?:of |about |that )?(?P<query>.+)"),
    # --- lists --------------------------------------------------------------------------
    *_rules("list_add", STRONG,
            rf"\b(?:add|put|write|stick|include|throw) (?P<item>.+?) (?:to|on|onto|in|into) {_LIST}\b"),
    *_rules("list_add", GOOD, r"\b(?:we|i) (?:need|are out of|ran out of|'re out of|'m out of) (?P<item>.+)",
            r"^(?:we'?re|i'?m) out of (?P<item>.+)",
            r"^add (?P<item>.+)"),
    *_rules("list_remove", STRONG,
            rf"\b(?:remove|take|delete|cross|strike|scratch|erase) (?:off )?(?P<item>.+?) (?:from|off|out of) (?:of )?{_LIST}\b"),
    *_rules("list_read", STRONG,
            rf"\bwhat(?:'s| is| are| do i have| do we have|s)? (?:on|in) {_LIST}\b",
            rf"\b(?:read|tell me|show me|check|open|list) (?:me )?(?:what(?:'s| is) on )?{_LIST}\b"),
    *_rules("list_clear", STRONG + 0.01,
            rf"\b(?:clear|empty|wipe|reset|delete|erase|remove everything from|clean) (?:out )?(?:all of |everything (?:on|from|in) )?{_LIST}\b"),
    # --- math and units ---------------------------------------------------------------
    *_rules("unit_convert", STRONG,
            rf"\bhow many (?P<to_unit>{UNIT}) (?:are |is )?(?:there )?(?:in|per) (?:(?P<amount>{NUMBER}|an?) )?(?P<from_unit>{UNIT})\b",
            rf"\b(?:convert |what(?:'s| is) |how much is |how many \w+ (?:is|are) )?(?P<amount>{NUMBER}|an?) (?P<from_unit>{UNIT}) (?:to|in|into|in to|as) (?P<to_unit>{UNIT})\b"),
    *_rules("unit_convert", STRONG - 0.01,
            rf"\b(?:convert|what(?:'s| is)|how do (?:you|i) convert|conversion from) (?P<from_unit>{UNIT}) (?:to|in|into) (?P<to_unit>{UNIT})\b"),
    *_rules("unit_convert", GOOD, rf"\bconvert\b.*\b{UNIT}\b"),
    *_rules("math_calculate", STRONG, rf"\b(?:what(?:'s| is)|calculate|compute|how much is|solve|work out) (?P<expression>{EXPRESSION})",
            rf"^(?P<expression>{EXPRESSION})$"),
    *_rules("math_calculate", GOOD, rf"\b(?P<expression>{EXPRESSION})\b"),
    # --- volume -------------------------------------------------------------------------
    *_rules("volume_set", STRONG + 0.02,
            rf"\b(?:volume|sound)\b.*\b(?:to|at) (?P<level>{VOLUME_LEVEL})\b",
            rf"\b(?:turn|set|put|change)\b.*\b(?:up|down|it|volume)\b.* to (?P<level>{VOLUME_LEVEL})\b",
            rf"^volume (?P<level>{VOLUME_LEVEL})$"),
    *_rules("volume_up", STRONG,
            r"\b(?:turn|crank|pump|bring|speak) (?:it |that |the (?:volume|sound|music) )?up\b",
            r"\b(?:louder|volume up|increase (?:the )?volume|raise (?:the )?volume|more volume|can'?t hear)\b"),
    *_rules("volume_down", STRONG,
            r"\b(?:turn|bring) (?:it |that |the (?:volume|sound|music) )?down\b",
            r"\b(?:quieter|softer|volume down|decrease (?:the )?volume|lower (?:the |your )?(?:volume|voice)|reduce (?:the )?volume|too loud|less loud)\b"),
    *_rules("volume_mute", STRONG,
            r"\b(?:mute|unmute|silence|silent mode)\b", r"\bturn (?:off |)the sound(?: off)?\b"),
    # --- lights -------------------------------------------------------------------------
    *_rules("lights_on", STRONG,
            r"\b(?:turn|switch|put|flip) on\b.*\blights?\b",
            r"\b(?:turn|switch|put|flip)\b.*\blights? on\b",
            r"\blights? on\b",
            r"\b(?:lights?|lamps?) up\b",
            r"\b(?:too dark|it'?s dark|need (?:some )?light)\b"),
    *_rules("lights_off", STRONG,
            r"\b(?:turn|switch|put|flip|shut) off\b.*\blights?\b",
            r"\b(?:turn|switch|put|flip|shut)\b.*\blights? off\b",
            r"\blights? (?:off|out)\b",
            r"\bkill the lights?\b"),
    # --- conversation -------------------------------------------------------------------
    *_rules("stop", STRONG, rf"{PRE}(?:stop|halt|shut up|be quiet|quiet|silence|enough|that'?s enough|stop it|stop that|stop talking|stop the (?:alarm|chime|sound|music|noise)|pause|hush|shh+){POST}"),
    *_rules("stop", WEAK, r"\bstop\b"),
    *_rules("cancel", STRONG, rf"{PRE}(?:no,? )?(?:cancel|cancel (?:that|it|this)|never ?mind|forget (?:it|that)|abort|nothing|ignore (?:that|me)|scratch that|don'?t worry(?: about it)?){POST}"),
    *_rules("repeat", STRONG,
            rf"{PRE}(?:repeat(?: that| it| yourself| please| what you said)?|say (?:that|it) again|come again|pardon(?: me)?|sorry,? what|what was that|huh|i didn'?t (?:hear|catch) (?:that|you)|what did you (?:just )?say|one more time){POST}"),
    *_rules("repeat", GOOD, r"\b(?:repeat|say (?:that|it) again|what did you (?:just )?say)\b"),
    *_rules("help", STRONG,
            r"\b(?:what can you do|what are you able to do|what do you do|how do i use you|what can i (?:say|ask)|what are your (?:features|skills|commands))\b",
            rf"{PRE}(?:help|help me|i need help|help please){POST}"),
    *_rules("affirm", STRONG,
            rf"{PRE}(?:yes|yeah|yep|yup|yes please|sure|sure thing|ok|okay|correct|right|that'?s right|that'?s correct|affirmative|please do|of course|absolutely|do it|go ahead|definitely|exactly|yes it is|uh huh|you got it|sounds good){POST}"),
    *_rules("negate", STRONG,
            rf"{PRE}(?:no|nope|nah|no thanks|no thank you|don'?t|do not|not really|negative|wrong|that'?s wrong|that'?s not right|incorrect|not now|no way|absolutely not|no it'?s not|no it isn'?t){POST}"),
    *_rules("greeting", STRONG,
            rf"^(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening|day)|morning|evening)(?: there| hearth| computer| everyone| friend| buddy)*{POST}",
            rf"{PRE}how are you(?: doing| today)*{POST}"),
    *_rules("thanks", STRONG,
            r"\b(?:thank you|thanks|thank u|thx|cheers|much appreciated|appreciate it|ta)\b"),
    *_rules("identity", STRONG,
            r"\b(?:who are you|what(?:'s| is) your name|what are you|who (?:made|built|created) you|are you (?:a )?(?:robot|human|real|person|computer|ai)|what should i call you|your name)\b"),
    *_rules("joke", STRONG, r"\bjokes?\b", r"\b(?:make me laugh|something funny|be funny|cheer me up)\b"),
    # --- things Hearth can't do offline -------------------------------------------------
    *_rules("weather_query", STRONG,
            r"\b(?:weather|forecast|temperature outside|umbrella|sunscreen)\b",
            r"\b(?:will|is) it (?:going to )?(?:be )?(?:rain|raining|snow|snowing|sunny|hot|cold|warm|windy|cloudy)\b"),
    *_rules("news_query", STRONG, r"\b(?:news|headlines|current events)\b"),
    *_rules("play_music", STRONG,
            r"\bplay (?:me )?(?:the song |the track |the album |some |something )?(?P<song>.+?) by (?P<artist>.+)$",
            r"\bplay (?:me )?(?:some |something )?(?:music|songs?|tunes|album|playlist|radio)\b",
            r"\bplay (?:me )?(?:the song |the track |something by |some )?(?P<song>.+)$",
            r"\b(?:put on|start|shuffle) (?:some )?(?:music|songs?|playlist)\b"),
    # --- date and time ------------------------------------------------------------------
    *_rules("time_until", STRONG,
            rf"\bhow (?:long|many (?:days|weeks|hours|minutes|months|sleeps)|much time) (?:is it |are there |is there |left )?(?:until|till|til|before|to|left (?:until|till|before)) (?P<date>{DATE}|.+)",
            rf"\bwhen is (?P<date>{DATE})\b"),
    *_rules("datetime_query", STRONG,
            r"\bwhat(?:'s| is)? (?:the )?(?:current |local )?(?:time|date|day|year|month)\b",
            r"\bwhat time is it\b", r"\bwhat day (?:is (?:it|today)|of the week)\b",
            r"\b(?:today'?s date|current time|time is it|tell me the (?:time|date)|do you have the time)\b",
            r"\bwhat(?:'s| is) (?:the )?date\b", r"\btime in (?P<place>[a-z][a-z ]+?)\??$"),
    # --- open questions go to the generative model -------------------------------------
    *_rules("general_question", GUESS,
            r"^(?:what|who|why|how|when|where|which|whose|is|are|was|were|can|could|does|do|did|should|would|will|tell me|explain|define|describe)\b.{6,}"),
]

_GENERIC: dict[str, list[re.Pattern[str]]] = {
    "duration": [re.compile(rf"\b(?P<v>{DURATION})\b")],
    "time": [re.compile(rf"\b(?:at |by |for |around )?(?P<v>{TIME})(?![\w'])"),
             re.compile(rf"\b(?:at|by|around) (?P<v>{TIME_AFTER_AT})(?![\w'])")],
    "date": [re.compile(rf"\b(?P<v>{DATE})\b")],
    "recurrence": [re.compile(rf"\b(?P<v>{RECURRENCE})\b")],
    "place": [re.compile(rf"\b(?:the )?(?P<v>{ROOM})\b"),
              re.compile(r"\b(?:in|at|for) (?P<v>(?!the morning|the evening|the afternoon)[a-z][a-z ]*?)(?= (?:today|tomorrow|tonight|right now|now|this \w+|next \w+|on \w+)\b|\??$)")],
    "level": [re.compile(rf"\b(?:to|at) (?P<v>{VOLUME_LEVEL})\b")],
    "name": [re.compile(r"\b(?P<v>[a-z]+) timer\b"),
             re.compile(r"\btimer (?:called|named|for the|for my) (?P<v>[a-z]+(?: [a-z]+)?)\b")],
}
_FREE_TEXT = {"task", "fact", "item", "query", "song", "artist", "date"}
_CONNECTORS = {"at", "on", "in", "by", "for", "every", "and", "to", "please", "the", "around", "from"}
_NOT_A_NAME = re.compile(
    rf"^(?:(?:the|a|an|my|that|this|all|all the|all my|every|your|new|one|any|kitchen)|(?:.* )?(?:{NUMBER}|an?|half|minutes?|seconds?|hours?|mins?|secs?|hrs?|second|minute|hour|day)|set|start|cancel|stop|pause|resume|the \w+|my \w+)$"
)
_NOT_A_LIST = {"the", "my", "a", "our", "this", "that", "to", "on", "from", "off", "of", "it"}
_NOT_A_PLACE = re.compile(r"^(?:the morning|the evening|the afternoon|\d.*|a .*|an .*|it|here|there|the world)$")
_GENERIC_MUSIC = re.compile(r"^(?:music|some music|a song|songs?|something|anything|tunes|the radio|radio)$")


def _clean_slot(name: str, text: str) -> bool:
    """Reject slot texts that are only filler ("the", "a ten minute" as a timer name...)."""
    if not text.strip():
        return False
    if name == "name":
        return not _NOT_A_NAME.match(text)
    if name == "list":
        return text not in _NOT_A_LIST and not text.startswith(("to ", "on ", "the "))
    if name == "place":
        return not _NOT_A_PLACE.match(text)
    if name == "song":
        return not _GENERIC_MUSIC.match(text)
    return True


def _trim_free(words: Words, slot: tuple[str, int, int], taken: list[tuple[str, int, int]]) -> tuple[int, int]:
    """Cut a free-text slot where another slot starts inside it and drop connector words."""
    name, start, end = slot
    for other, s, e in taken:
        if other != name and start < s < end:
            end = s
        elif other != name and s <= start < e:
            start = e
    ws, we = words.word_span(start, end)
    while we > ws and words.words[we - 1] in _CONNECTORS:
        we -= 1
    return ws, we


class KeywordUnderstander:
    """Rule-based understander; confidence is the strength of the best matching rule."""

    name = "keywords"
    version = "keywords"  # no model: the rules are the version

    def __init__(self, rules: list[Rule] | None = None) -> None:
        self.rules = rules if rules is not None else RULES

    def agreeing_slots(self, words: Sequence[str], intent: str,
                       min_confidence: float = 0.0) -> list[Slot] | None:
        """The rules' slots for ``words`` when the rules read them as ``intent`` too (at least
        this sure), else None: how the model's tagger and the data sets borrow rule slots."""
        u = self.parse(" ".join(words))
        return u.slots if u.intent == intent and u.confidence >= min_confidence else None

    def parse(self, text: str) -> Understanding:
        """Intent, slots and alternatives for ``text``; unmatched text is ``out_of_scope``."""
        words = split_words(text if isinstance(text, str) else "")
        norm = words.text
        best: dict[str, tuple[float, re.Match[str]]] = {}
        for rule in self.rules:
            m = rule.pattern.search(norm)
            if m and rule.strength > best.get(rule.intent, (0.0, None))[0]:
                best[rule.intent] = (rule.strength, m)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -len(kv[1][1].group(0))))
        if not ranked or ranked[0][1][0] < MIN_CONFIDENCE:
            return Understanding(text=text, intent=OUT_OF_SCOPE, confidence=0.7, in_scope=False,
                                 source=self.name)
        intent, (strength, match) = ranked[0]
        alternatives = [(i, round(s * 0.9, 3)) for i, (s, _) in ranked[1:4]]
        return Understanding(
            text=text, intent=intent, confidence=strength, slots=self._slots(intent, match, words),
            alternatives=alternatives, in_scope=True, source=self.name,
        )

    def _slots(self, intent: str, match: re.Match[str], words: Words) -> list[Slot]:
        allowed = INTENTS[intent][0]
        norm = words.text
        found: list[tuple[str, int, int]] = []
        for name, value in match.groupdict().items():
            if value and name in allowed:
                found.append((name, match.start(name), match.end(name)))
        taken_names = {n for n, _, _ in found}
        for name in allowed:
            if name in taken_names:
                continue
            for pat in _GENERIC.get(name, []):
                cand = next((m for m in pat.finditer(norm)
                             if _clean_slot(name, m.group("v"))
                             and not any(s < m.end("v") and m.start("v") < e
                                         for n, s, e in found if n not in _FREE_TEXT)), None)
                if cand:
                    found.append((name, cand.start("v"), cand.end("v")))
                    break
        fixed = [f for f in found if f[0] not in _FREE_TEXT]
        slots: list[Slot] = []
        for name, s, e in found:
            ws, we = _trim_free(words, (name, s, e), fixed) if name in _FREE_TEXT else words.word_span(s, e)
            if ws < 0 or we <= ws:
                continue
            span = words.join(ws, we)
            if not _clean_slot(name, span):
                continue
            slots.append(Slot(name=name, text=span, confidence=0.8,
                              start=ws, end=we))
        return sorted(slots, key=lambda s: s.start)
