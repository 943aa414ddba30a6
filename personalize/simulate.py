"""A simulated household: its own ways of saying things, and a user who reacts like a person.

Used by ``benchmarks/personalize.py`` and the tests to prove that a night of personalization
helps this household without hurting everyone else. Each habit has phrasings the household
says during the days and held-out paraphrases that are only used to measure. When the
assistant gets it wrong the user says "no" and rephrases in the standard way, or corrects it
explicitly ("no, I meant ..."), a few seconds later, exactly as the history recorder expects.

Templates mark slots as ``[words](slot)`` or ``[words](slot=meant value)``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.dialogue.clarify import ASKS_YES_OR_NO
from assistant.events import Reply, StageTimes, Transcript, Turn, Understanding
from assistant.understanding.text import split_words
from assistant.values.phrases import clean_phrase

_SLOT = re.compile(r"\[([^\]]+)\]\((\w+)(?:=([^)]+))?\)")

# Slots whose value a user checks in the answer (a wrong room or item is noticed).
CHECKED_SLOTS = ("place", "item", "list", "name")


@dataclass
class Utterance:
    """What the user says and what they mean by it."""

    text: str
    intent: str
    meant: dict[str, str] = field(default_factory=dict)  # slot -> meant value (cleaned)


def fill(template: str, intent: str) -> Utterance:
    """Expand the slot markup of ``template``."""
    meant: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        meant[m.group(2)] = clean_phrase(m.group(3) or m.group(1))
        return m.group(1)

    text = _SLOT.sub(sub, template)
    return Utterance(" ".join(split_words(text).words), intent, meant)


@dataclass
class Habit:
    """One thing the household asks for, its own phrasings and the standard one."""

    intent: str
    said: list[str]  # phrasings heard during the days (templates)
    heldout: list[str]  # paraphrases kept for measuring only
    standard: list[str]  # how they rephrase it "properly"; index-matched to ``said`` by slot
    weight: float = 1.0


# Each habit: what one person in the house says during the days, and how the others in the
# same house put the same request (held out, only measured): the household's own words ("den",
# "bin", "knock it down") in other sentences, not near copies of what was said.
HABITS: list[Habit] = [
    Habit("lights_off",
          ["lights out in the [den](place=living room)", "[den](place=living room) lights out",
           "kill the lights in the [den](place=living room)", "lights out in the [den](place=living room) please"],
          ["we're done in the [den](place=living room) so lights out", "could you do the lights out for the [den](place=living room)",
           "is it lights out time in the [den](place=living room)", "nobody's in the [den](place=living room) kill those lights"],
          ["turn off the lights in the [living room](place)"], 2.0),
    Habit("lights_on",
          ["lights up in the [den](place=living room)", "[den](place=living room) lights up please"],
          ["can we get the lights up in the [den](place=living room)", "the [den](place=living room) is dark bring the lights up"],
          ["turn on the lights in the [living room](place)"]),
    Habit("timer_cancel",
          ["kill the timer", "kill the [pasta](name) timer", "scrap the timer", "bin the timer"],
          ["that timer can be binned now", "the [egg](name) is done so scrap its timer",
           "you can kill off that timer", "bin the one for the [rice](name)"],
          ["cancel the timer"], 1.5),
    Habit("list_read",
          ["what's on the list", "what's on the list then", "what have we got on the list"],
          ["so tell me what the list has on it", "run through the list for me", "anything on that list of ours"],
          ["read me my [shopping](list) list"], 1.5),
    Habit("list_add",
          ["add [gran's tablets](item) to the list", "put [gran's tablets](item) on the list",
           "add [rover's biscuits](item) to the list", "stick [percy's flea drops](item) on the list"],
          ["we're out of [rover's biscuits](item) so on the list they go", "the list needs [percy's flea drops](item)",
           "[gran's tablets](item) want adding to the list", "don't forget [rover's biscuits](item) on the list"],
          ["add [gran's tablets](item) to my [shopping](list) list"], 2.0),
    Habit("volume_down",
          ["bit quieter love", "knock it down a notch", "knock it down a bit"],
          ["could you knock the sound down love", "that's loud knock it back a notch", "a bit quieter would be nice love"],
          ["turn the volume down"]),
]

# Ordinary requests the base model already handles: most of a real day.
EVERYDAY: list[tuple[str, str]] = [
    ("what time is it", "datetime_query"),
    ("set a timer for ten minutes", "timer_set"),
    ("turn on the lights in the kitchen", "lights_on"),
    ("turn off the lights in the kitchen", "lights_off"),
    ("tell me a joke", "joke"),
    ("add milk to my shopping list", "list_add"),
    ("what's the weather like today", "weather_query"),
    ("turn the volume up", "volume_up"),
    ("how long is left on the timer", "timer_query"),
    ("what day is it today", "datetime_query"),
]


def said_utterances(habit: Habit) -> list[Utterance]:
    return [fill(t, habit.intent) for t in habit.said]


def heldout_utterances(habits: list[Habit] | None = None) -> list[Utterance]:
    """The household's held-out phrasings: never said during the simulated days."""
    return [fill(t, h.intent) for h in (HABITS if habits is None else habits) for t in h.heldout]


# How a person "properly" rephrases a request of each intent (slots of what they meant are
# carried over), for households whose habits come from a corpus.
STANDARD: dict[str, list[str]] = {
    "alarm_set": ["set an alarm"], "alarm_query": ["what alarms do i have"],
    "alarm_cancel": ["cancel my alarm"], "reminder_set": ["set a reminder"],
    "reminder_query": ["what are my reminders"], "reminder_cancel": ["cancel my reminder"], "datetime_query": ["what time is it"],
    "lights_on": ["turn on the lights in the [kitchen](place)", "turn on the lights"],
    "lights_off": ["turn off the lights in the [kitchen](place)", "turn off the lights"],
    "list_add": ["add [milk](item) to my [shopping](list) list", "add [milk](item) to my list",
                 "add it to my list"],
    "list_read": ["read me my [shopping](list) list", "read me my list"],
    "list_remove": ["remove [milk](item) from my [shopping](list) list", "remove [milk](item) from my list",
                    "take it off my list"],
    "math_calculate": ["calculate that"], "volume_up": ["turn the volume up"],
    "volume_down": ["turn the volume down"], "volume_mute": ["mute"],
    "weather_query": ["what's the weather"], "news_query": ["what's the news"],
    "play_music": ["play some music"], "general_question": ["i have a question"],
    "joke": ["tell me a joke"], "stop": ["stop"], "repeat": ["say that again"],
    "affirm": ["yes"], "negate": ["no"], "thanks": ["thank you"],
}


def corpus_habits(utterances: list[tuple[str, str]], seed: int = 0) -> list[Habit]:
    """Habits from real users' phrasings (``(marked-up text, intent)``): per intent, half of
    its phrasings are said during the days and the other half only measured."""
    rng = random.Random(seed)
    by: dict[str, list[str]] = {}
    for text, intent in utterances:
        if intent in STANDARD:
            by.setdefault(intent, []).append(text)
    habits = []
    for intent in sorted(by):
        texts = sorted(set(by[intent]))
        if len(texts) < 2:
            continue
        rng.shuffle(texts)
        half = len(texts) // 2
        habits.append(Habit(intent, texts[:half], texts[half:], STANDARD[intent], float(half)))
    return habits


def _standard(habit: Habit, u: Utterance) -> Utterance:
    """The standard phrasing of what ``u`` meant (slot values carried over)."""
    filled = [fill(t, habit.intent) for t in habit.standard]
    # the first standard phrasing that names only slots the user meant, else the first one
    std = next((f for f in filled if set(f.meant) <= set(u.meant)), filled[0])
    text = std.text
    for name, value in std.meant.items():
        if name in u.meant and value in text:
            text = text.replace(value, u.meant[name], 1)
    meant = {**std.meant, **u.meant}
    if "list" not in u.meant and "list" in std.meant:
        meant["list"] = std.meant["list"]
    return Utterance(text, habit.intent, meant)


def understood(u: Understanding | None, want: Utterance) -> bool:
    """Did the assistant get the intent and every checked slot the user meant right?"""
    if u is None or u.intent != want.intent:
        return False
    for name, value in want.meant.items():
        if name not in CHECKED_SLOTS:
            continue
        slot = u.slot(name)
        if slot is None:
            if name == "list" and value == "shopping":  # the default list: no slot needed
                continue
            return False
        if value not in (clean_phrase(slot.text), clean_phrase(str(slot.value or ""))):
            return False
    return True


Parse = Callable[[str], Understanding]
Respond = Callable[[Understanding], Reply]


def default_respond(u: Understanding) -> Reply:
    """A stand-in for the dialogue manager: fails out-of-scope and unsure answers."""
    ok = u.in_scope and u.intent != "out_of_scope" and u.confidence >= 0.5
    return Reply(f"({u.intent})" if ok else "Sorry, I can't help with that.", intent=u.intent, ok=ok)


class Household:
    """Generates days of turns; ``clock`` is the simulated wall clock (seconds)."""

    def __init__(self, seed: int = 0, habit_share: float = 0.6, explicit_share: float = 0.35,
                 start: float = 1_750_000_000.0, habits: list[Habit] | None = None) -> None:
        self.habits = HABITS if habits is None else habits
        self.rng = random.Random(seed)
        self.habit_share = habit_share
        self.explicit_share = explicit_share
        self.now = start
        self.stats: dict[str, int] = {"requests": 0, "wrong": 0, "explicit": 0, "rephrased": 0,
                                      "answered": 0}

    def clock(self) -> float:
        return self.now

    def _pick(self) -> tuple[Habit | None, Utterance]:
        if self.rng.random() < self.habit_share:
            habit = self.rng.choices(self.habits, weights=[h.weight for h in self.habits])[0]
            return habit, self.rng.choice(said_utterances(habit))
        text, intent = self.rng.choice(EVERYDAY)
        return None, Utterance(text, intent)

    def day(self, parse: Parse, respond: Respond, requests: int = 60) -> Iterator[Turn]:
        """One day of requests and reactions, as turns the loop would hand the recorder."""
        self.now += 8 * 3600  # night -> morning
        for _ in range(requests):
            self.now += self.rng.uniform(300, 1800)
            habit, want = self._pick()
            self.stats["requests"] += 1
            turn = self._turn(want.text, parse, respond)
            yield turn
            yield from self._react(turn, habit, want, parse, respond)

    def _react(self, turn: Turn, habit: Habit | None, want: Utterance, parse: Parse,
               respond: Respond) -> Iterator[Turn]:
        """What a person says next: answer a question, thank, or say "no" and put it right."""
        u = turn.understanding
        asked = turn.reply.expects_answer
        right_intent = u is not None and u.intent == want.intent
        if asked and right_intent and turn.reply.data.get("key") in ASKS_YES_OR_NO:
            yield self._after(3, "yes", parse, respond)
            return
        if understood(u, want) or habit is None:
            if asked:
                yield self._after(3, "never mind", parse, respond)
            elif self.rng.random() < 0.1:
                yield self._after(4, "thanks", parse, respond)
            return
        self.stats["wrong"] += 1
        answer = self._answer(turn, want, parse, respond)
        if answer is not None:  # "What should I add?" - "gran's tablets"
            yield answer
            return
        std = _standard(habit, want)
        if self.rng.random() < self.explicit_share:
            self.stats["explicit"] += 1
            wrong_slot = [n for n in want.meant if n in CHECKED_SLOTS and u is not None and u.slot(n)]
            if right_intent and wrong_slot and self.rng.random() < 0.5:
                yield self._after(3, "no i meant the " + want.meant[wrong_slot[0]], parse, respond)
                return
            again = self._after(3, "no i meant " + std.text, parse, respond)
        else:
            self.stats["rephrased"] += 1
            yield self._after(3, self.rng.choice(["no", "no that's wrong", "stop"]), parse, respond)
            again = self._after(4, std.text, parse, respond)
        yield again
        answer = self._answer(again, std, parse, respond)
        if answer is not None:
            yield answer

    def _answer(self, turn: Turn, want: Utterance, parse: Parse, respond: Respond) -> Turn | None:
        """The slot value the assistant asked for, when it got the intent but not the slot."""
        u = turn.understanding
        if not turn.reply.expects_answer or u is None or u.intent != want.intent:
            return None
        missing = [n for n in want.meant if n in CHECKED_SLOTS and u.slot(n) is None]
        if not missing:
            return None
        self.stats["answered"] += 1
        return self._after(3, want.meant[missing[0]], parse, respond)

    def _after(self, seconds: float, text: str, parse: Parse, respond: Respond) -> Turn:
        self.now += seconds + self.rng.uniform(0, 2)
        return self._turn(text, parse, respond)

    def _turn(self, text: str, parse: Parse, respond: Respond) -> Turn:
        u = parse(text)
        reply = respond(u)
        n = len(text.split())
        return Turn(Transcript(text, confidence=0.9), u, reply, StageTimes(), audio_seconds=0.4 * n + 0.5)
