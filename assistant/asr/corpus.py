"""Command sentences for the domain language model, generated from templates.

One or more templates per Hearth intent (see ``understanding/intents.py``), filled from slot
value lists (numbers one..sixty, durations, clock times, list items, names...). Sampling is
seeded, so the same inputs always give the same corpus and the same cached LM.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable

from assistant.values.units import UNITS

_ONES = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(n: int) -> str:
    """1 <= n <= 99 in words ("twenty one")."""
    if n < 10:
        return _ONES[n - 1]
    if n < 20:
        return _TEENS[n - 10]
    tens = _TENS[n // 10 - 2]
    return tens if n % 10 == 0 else f"{tens} {_ONES[n % 10 - 1]}"


NUMBERS = [number_words(n) for n in range(1, 61)]
HOURS = [number_words(n) for n in range(1, 13)]
MINUTES = ["fifteen", "thirty", "forty five", "oh five", "ten", "twenty", "fifty"]
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth", "eleventh", "twelfth", "fifteenth", "twentieth", "twenty first", "thirtieth"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
UNITS_OF_TIME = ["seconds", "minutes", "hours"]

def _spoken(phrase: str, name: str) -> bool:
    """The unit's own name, or an alias people say: dictionary words, not "mm", "lbs", "c"."""
    from assistant.asr.pronounce import bundled_words

    if phrase == name.lower():
        return True
    return len(phrase) >= 4 and all(w in bundled_words() for w in phrase.split())


SLOTS: dict[str, list[str]] = {
    "num": NUMBERS,
    "small": NUMBERS[:20],
    "duration": (
        [f"{n} {u}" for n in NUMBERS for u in UNITS_OF_TIME]
        + ["a minute", "one minute", "an hour", "one hour", "half an hour", "a second",
           "an hour and a half", "a minute and a half", "ninety seconds"]
        + [f"{n} and a half minutes" for n in NUMBERS[:10]]
        + [f"one hour and {n} minutes" for n in NUMBERS[4:59:5]]
    ),
    "time": (
        [f"{h} o'clock" for h in HOURS]
        + [f"{h} {m}" for h in HOURS for m in MINUTES]
        + [f"{h} {ap}" for h in HOURS for ap in ("am", "pm")]
        + [f"{h} {m} {ap}" for h in HOURS for m in MINUTES for ap in ("am", "pm")]
        + [f"{q} {h}" for h in HOURS for q in ("half past", "quarter past", "quarter to")]
        + [f"{h} in the {p}" for h in HOURS for p in ("morning", "afternoon", "evening")]
        + ["noon", "midnight"]
    ),
    "date": (
        ["today", "tomorrow", "tonight", "this evening", "this afternoon", "tomorrow morning",
         "next week", "this weekend", "the day after tomorrow", "christmas", "new year's day",
         "my birthday"]
        + [f"on {d}" for d in WEEKDAYS] + [f"next {d}" for d in WEEKDAYS]
        + [f"on the {o}" for o in ORDINALS]
    ),
    "weekday": WEEKDAYS,
    "task": ["call mom", "call my sister", "take out the trash", "water the plants", "feed the cat",
             "feed the dog", "walk the dog", "buy milk", "pick up the kids", "take my medicine",
             "check the oven", "pay the rent", "pay the electric bill", "call the dentist",
             "stretch", "drink some water", "move the laundry", "lock the back door",
             "charge my phone", "send the email", "book a table", "buy a birthday present"],
    "item": ["milk", "eggs", "bread", "butter", "apples", "bananas", "coffee", "tea", "rice",
             "pasta", "cheese", "chicken", "tomatoes", "onions", "potatoes", "olive oil",
             "toilet paper", "dish soap", "batteries", "paper towels", "yogurt", "orange juice",
             "cereal", "flour", "sugar", "salt", "pepper", "carrots", "garlic", "lemons",
             "shampoo", "toothpaste", "cat food", "dog food", "ice cream", "chocolate",
             "light bulbs", "trash bags", "oranges", "grapes", "beer", "wine"],
    "list": ["shopping list", "grocery list", "to do list", "list"],
    "name": ["pasta", "eggs", "laundry", "oven", "tea", "pizza", "bread", "cookies", "rice",
             "potatoes", "workout", "nap", "homework", "cake"],
    "place": ["kitchen", "living room", "bedroom", "bathroom", "office", "hallway", "garage",
              "dining room", "basement", "porch", "kids room", "garden", "upstairs",
              "downstairs"],
    "city": ["london", "paris", "new york", "tokyo", "berlin", "chicago", "boston", "seattle"],
    "fact": ["my car is parked on level {small}", "the spare key is under the mat",
             "i put my passport in the desk drawer", "the wifi password is on the fridge",
             "my locker number is {num}", "the plumber comes on {weekday}",
             "i lent my drill to the neighbor", "the batteries are in the kitchen drawer",
             "my parking spot is {num}", "the gift is hidden in the closet"],
    "query": ["my car", "my passport", "the spare key", "the wifi password", "my locker number",
              "the batteries", "my parking spot", "the plumber", "my drill", "the gift"],
    "expr": ["{big} plus {big}", "{big} minus {small}", "{small} times {small}",
             "{big} divided by {small}", "{small} squared", "the square root of {big}",
             "{small} percent of {big}", "{num} times {num}"],
    "big": [*(number_words(n) for n in range(1, 100)), "a hundred", "one hundred",
            "two hundred", "five hundred", "a thousand", "one thousand"],
    # every unit the conversion skill knows, as people say it ("a kilo", "two pints")
    "unit": [k for k, u in UNITS.items() if k == u.plural.lower() and _spoken(k, u.plural)],
    "unit1": [k for k, u in UNITS.items() if k != u.plural.lower() and _spoken(k, u.name)],
    "level": [*NUMBERS[:10], "ten percent", "fifty percent", "twenty percent", "eighty percent",
              "maximum", "minimum", "half"],
    "music": ["some music", "some jazz", "classical music", "the beatles", "my playlist",
              "something relaxing", "rock music"],
    "question": ["what is the capital of france", "who wrote hamlet", "why is the sky blue",
                 "how far away is the moon", "what is a black hole", "tell me about dinosaurs",
                 "how do airplanes fly", "what is the meaning of life",
                 "how many legs does a spider have", "who painted the mona lisa",
                 "what is the tallest mountain in the world", "how does a rainbow form",
                 "explain photosynthesis", "what do cats eat"],
}

# intent -> templates. "{slot}" is filled from SLOTS; "[a|b]" picks one alternative.
TEMPLATES: dict[str, list[str]] = {
    "datetime_query": ["what time is it", "what's the time", "what day is it today",
                       "what's the date today", "what is today's date", "what day is it",
                       "tell me the time", "what time is it in {city}", "what's today"],
    "time_until": ["how long until {date}", "how many days until {date}",
                   "how many days until christmas", "how long until {weekday}",
                   "how long until {time}"],
    "timer_set": ["set a timer for {duration}", "set a {duration} timer", "timer {duration}",
                  "start a timer for {duration}", "set a {name} timer for {duration}",
                  "set a timer for {duration} called {name}", "{duration} timer",
                  "start a {duration} timer for the {name}",
                  "can you set a timer for {duration}", "please set a timer for {duration}"],
    "timer_query": ["how much time is left", "how long is left on the timer",
                    "how much time is left on the {name} timer", "how long left on my timer",
                    "check the timer", "how's my {name} timer doing"],
    "timer_cancel": ["cancel the timer", "cancel the {name} timer", "stop the timer",
                     "cancel all timers", "delete the timer", "turn off the timer",
                     "cancel my {duration} timer"],
    "timer_pause": ["pause the timer", "resume the timer", "pause the {name} timer",
                    "resume the {name} timer", "continue the timer"],
    "timer_change": ["make the timer {duration} instead", "change the timer to {duration}",
                     "add {duration} to the timer", "make it {duration}",
                     "change the {name} timer to {duration}"],
    "alarm_set": ["set an alarm for {time}", "wake me up at {time}", "set an alarm for {time} {date}",
                  "wake me up {date} at {time}", "set an alarm at {time} every {weekday}",
                  "set an alarm for {time} every day", "set an alarm for {time} on weekdays",
                  "alarm for {time}"],
    "alarm_query": ["what alarms do i have", "which alarms are set", "when is my alarm",
                    "do i have any alarms", "list my alarms", "is my alarm set"],
    "alarm_cancel": ["cancel my alarm", "cancel the alarm for {time}", "delete my {time} alarm",
                     "turn off my alarm", "remove all alarms", "cancel all alarms"],
    "reminder_set": ["remind me to {task} at {time}", "remind me to {task} {date}",
                     "remind me to {task} in {duration}", "remind me {date} at {time} to {task}",
                     "set a reminder to {task}", "remind me to {task}",
                     "don't let me forget to {task}"],
    "reminder_query": ["what are my reminders", "do i have any reminders", "list my reminders",
                       "what do i need to do {date}", "read my reminders"],
    "memory_remember": ["remember that {fact}", "remember {fact}", "please remember that {fact}",
                        "make a note that {fact}", "note that {fact}"],
    "memory_recall": ["where is {query}", "what is {query}", "where did i put {query}",
                      "what did i say about {query}", "do you remember where {query} is",
                      "what's {query}"],
    "memory_forget": ["forget {query}", "forget what i said about {query}",
                      "forget everything about {query}", "delete the note about {query}"],
    "list_add": ["add {item} to the {list}", "add {item} to my {list}", "put {item} on the {list}",
                 "add {item} and {item} to the {list}", "we need {item}", "add {item}",
                 "put {item} on my {list}", "i need to buy {item}"],
    "list_remove": ["remove {item} from the {list}", "take {item} off the {list}",
                    "delete {item} from my {list}", "cross {item} off the {list}"],
    "list_read": ["what's on the {list}", "what is on my {list}", "read my {list}",
                  "read the {list}", "what do i need to buy", "what's on my {list}"],
    "list_clear": ["clear the {list}", "clear my {list}", "empty the {list}",
                   "delete everything on my {list}"],
    "math_calculate": ["what is {expr}", "what's {expr}", "calculate {expr}", "{expr}",
                       "how much is {expr}"],
    "unit_convert": ["convert {small} {unit} to {unit}", "how many {unit} in {small} {unit}",
                     "how many {unit} in a {unit1}", "what is {small} {unit} in {unit}",
                     "how many {unit} are in one {unit1}", "convert one {unit1} to {unit}",
                     "how many {unit} are in {small} {unit}"],
    "volume_up": ["volume up", "turn it up", "louder", "turn up the volume", "increase the volume",
                  "make it louder", "a bit louder please"],
    "volume_down": ["volume down", "turn it down", "quieter", "turn down the volume",
                    "lower the volume", "decrease the volume", "make it quieter", "softer"],
    "volume_set": ["set the volume to {level}", "volume {level}", "change the volume to {level}",
                   "turn the volume to {level}", "set volume to {level}"],
    "volume_mute": ["mute", "mute the volume", "be quiet", "silence", "unmute", "mute yourself"],
    "lights_on": ["turn on the lights", "turn on the {place} lights", "lights on",
                  "switch on the {place} light", "turn the lights on in the {place}",
                  "{place} lights on", "turn on the light"],
    "lights_off": ["turn off the lights", "turn off the {place} lights", "lights off",
                   "switch off the {place} light", "turn the lights off in the {place}",
                   "{place} lights off", "turn off the light"],
    "stop": ["stop", "stop talking", "shut up", "stop it", "that's enough", "okay stop",
             "stop the alarm"],
    "cancel": ["cancel", "never mind", "forget it", "nothing", "cancel that", "no thanks"],
    "repeat": ["repeat that", "what did you say", "say that again", "can you repeat that",
               "pardon", "come again", "sorry what"],
    "help": ["help", "what can you do", "what can i say", "how do i use you", "help me",
             "what are your features"],
    "affirm": ["yes", "yeah", "yes please", "sure", "correct", "that's right", "okay", "yep",
               "of course", "do it"],
    "negate": ["no", "nope", "no thanks", "that's wrong", "not really", "don't", "no way"],
    "greeting": ["hello", "hi", "hey", "good morning", "good evening", "good night",
                 "hello there", "hi computer", "hey there"],
    "thanks": ["thank you", "thanks", "thanks a lot", "thank you very much", "cheers",
               "great thanks"],
    "identity": ["who are you", "what are you", "what's your name", "what is your name",
                 "are you a robot", "who made you"],
    "joke": ["tell me a joke", "say something funny", "make me laugh", "do you know any jokes",
             "tell me another joke"],
    "weather_query": ["what's the weather", "what's the weather like {date}",
                      "will it rain {date}", "what's the weather in {city}",
                      "do i need an umbrella {date}", "how hot is it outside",
                      "what's the forecast for {date}"],
    "news_query": ["what's the news", "read me the news", "what's happening in the world",
                   "play the news", "any news today"],
    "play_music": ["play {music}", "play some music", "put on {music}", "i want to hear {music}",
                   "play music by the beatles"],
    "general_question": ["{question}", "tell me {question}", "do you know {question}"],
    "out_of_scope": ["order a pizza", "book me a flight", "call an uber", "send a text to mom",
                     "buy shoes online", "what's my bank balance", "post this on facebook",
                     "open the garage door", "start the car", "record a video"],
}

_SLOT = re.compile(r"\{(\w+)\}")
_CHOICE = re.compile(r"\[([^\]]+)\]")


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random, depth: int = 0) -> str:
    """One random filling of ``template`` (slot values may themselves contain slots)."""
    text = _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)

    def pick(m: re.Match[str]) -> str:
        value = rng.choice(slots[m.group(1)])
        return _fill(value, slots, rng, depth + 1) if depth < 3 else value

    return " ".join(_SLOT.sub(pick, text).split())


def _slots(extra_words: Iterable[str]) -> dict[str, list[str]]:
    """SLOTS with household words added where names of things go (items, names, places)."""
    extra = [" ".join(w.lower().split()) for w in extra_words if w.strip()]
    if not extra:
        return SLOTS
    out = dict(SLOTS)
    for key in ("item", "name", "place", "query"):
        out[key] = SLOTS[key] + extra
    return out


def intent_sentences(per_template: int = 30, extra_words: Iterable[str] = (), seed: int = 0,
                     ) -> list[tuple[str, str]]:
    """(intent, sentence) pairs: each template filled up to ``per_template`` distinct ways."""
    rng = random.Random(seed)
    slots = _slots(extra_words)
    out: list[tuple[str, str]] = []
    for intent, templates in TEMPLATES.items():
        for template in templates:
            seen: set[str] = set()
            tries = per_template * 3 if "{" in template or "[" in template else 1
            for _ in range(tries):
                s = _fill(template, slots, rng)
                if s not in seen:
                    seen.add(s)
                    out.append((intent, s))
                if len(seen) >= per_template:
                    break
    return out


def corpus(extra_sentences: Iterable[str] = (), extra_words: Iterable[str] = (),
           per_template: int = 30, seed: int = 0) -> list[str]:
    """Normalized training sentences for the domain LM (templates + extras, deduplicated).

    Every slot value is also used once on its own, so each number, item and place is in the
    vocabulary even when sampling skipped it.
    """
    slots = _slots(extra_words)
    sents = [s for _, s in intent_sentences(per_template, extra_words, seed)]
    rng = random.Random(seed + 1)
    for values in slots.values():
        sents += [_fill(v, slots, rng) for v in values]
    sents += [normalize(s) for s in extra_sentences]
    return [s for s in dict.fromkeys(normalize(s) for s in sents) if s]


_KEEP = re.compile(r"[^a-z0-9' ]+")


def normalize(text: str) -> str:
    """Lowercase, strip punctuation (keeping apostrophes), single spaces."""
    return " ".join(_KEEP.sub(" ", text.lower().replace("-", " ")).split())
