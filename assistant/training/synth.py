"""Templated utterances for Hearth intents the public data sets barely cover.

Why: HWU64 and CLINC150 have no "pause the timer", "forget where I parked" or "clear the
shopping list", and never label list items, reminder tasks or remembered facts. A few hundred
templated phrasings (with slot annotations in HWU64's ``[slot : value]`` syntax) teach the
heads those. Generation is seeded, so the set is reproducible; ``HELD_OUT`` utterances are
never generated, so tests can use them as unseen examples.
"""

from __future__ import annotations

import random
import re

from assistant.training.datasets import Example, parse_annotation

FILLERS: dict[str, list[str]] = {
    "duration": ["ten minutes", "5 minutes", "an hour", "half an hour", "thirty seconds",
                 "two hours and fifteen minutes", "90 seconds", "a minute and a half",
                 "twenty five minutes", "three minutes", "1 hour", "45 minutes", "eight minutes",
                 "twelve minutes", "an hour and a half", "two minutes", "fifteen minutes",
                 "20 seconds", "four hours", "seven minutes", "forty minutes", "one minute"],
    "name": ["pasta", "egg", "laundry", "pizza", "tea", "bread", "oven", "cookie", "rice",
             "workout", "nap", "homework", "chicken", "potato", "cake", "steak", "bath",
             "plank", "meditation", "parking"],
    "list": ["shopping", "grocery", "to-do", "to do", "packing", "christmas", "hardware store",
             "camping", "costco", "party", "chores", "birthday", "wish", "reading"],
    "item": ["milk", "eggs", "bread", "bananas", "paper towels", "olive oil", "dog food",
             "batteries", "coffee beans", "toothpaste", "call the plumber", "oat milk",
             "two pounds of chicken", "dish soap", "apples", "a birthday card", "light bulbs",
             "fix the fence", "shampoo", "cat litter", "tomatoes", "garbage bags",
             "return the library books", "butter", "sunscreen", "orange juice", "rice"],
    "task": ["call mom", "take out the trash", "water the plants", "pick up the kids",
             "take my medicine", "feed the cat", "check the oven", "pay the electric bill",
             "move the car", "call the dentist", "buy flowers", "send the invoice",
             "charge my phone", "walk the dog", "start the dishwasher", "book a haircut",
             "lock the back door", "put the bins out", "defrost the chicken", "call grandma"],
    "time": ["7 am", "six thirty", "noon", "5:30 pm", "eight o'clock", "half past seven",
             "quarter to nine", "10 pm", "midnight", "six am", "nine fifteen", "4 pm",
             "seven in the morning", "11:45", "three o'clock", "eight pm"],
    "date": ["tomorrow", "tonight", "monday", "next friday", "this weekend", "the fifth of june",
             "march 3rd", "christmas eve", "new year's day", "sunday", "thursday",
             "the twentieth", "next week", "saturday morning", "tomorrow morning"],
    "recurrence": ["every day", "weekdays", "every monday", "every morning", "daily",
                   "every weekday", "on weekends", "every sunday"],
    "fact": ["my car is parked on level 3", "the wifi password is blue horse 42",
             "i left my keys in the kitchen drawer", "the spare key is under the mat",
             "my locker number is 27", "the dentist appointment is on tuesday",
             "my passport is in the top drawer", "i parked in row g",
             "the plumber's number is on the fridge", "grandma's birthday is may ninth",
             "the recycling goes out on thursdays", "i lent my ladder to tom",
             "the tv remote is in the basket", "my bike lock code is 4 1 7",
             "my glasses are on the piano", "the gate code is 2 5 8 0",
             "i parked on the third floor", "the spare batteries are in the garage",
             "my wallet is in my blue jacket", "the vet appointment is next thursday"],
    "query": ["my car", "the wifi password", "my keys", "the spare key", "my locker number",
              "my passport", "the ladder", "the remote", "the dentist appointment",
              "grandma's birthday", "my bike lock code", "the plumber's number", "my glasses",
              "my wallet", "the phone charger", "the car keys", "my umbrella", "my headphones",
              "the scissors", "the tape measure", "my library card", "the gate code",
              "the parking spot", "my reading glasses", "the spare batteries"],
    "expression": ["25 times 4", "twelve plus seven", "the square root of 81",
                   "100 divided by 8", "15 percent of 80", "seven squared", "3.5 minus 1.2",
                   "nine times nine", "two hundred minus forty", "6 plus 6 plus 6",
                   "1000 divided by 3", "eighteen times twelve"],
    "amount": ["5", "ten", "2.5", "a hundred", "three", "one", "12", "half a", "20", "six"],
    "unit": ["miles", "kilometers", "pounds", "kilograms", "cups", "ounces", "liters",
             "gallons", "feet", "meters", "inches", "centimeters", "grams", "tablespoons",
             "teaspoons", "fahrenheit", "celsius", "yards", "quarts", "pints"],
    "level": ["5", "ten", "50 percent", "maximum", "three", "seventy percent", "seven", "2",
              "eighty", "minimum", "four", "half"],
    "place": ["kitchen", "living room", "bedroom", "bathroom", "office", "garage", "hallway",
              "porch", "dining room", "basement", "nursery", "upstairs", "attic", "den"],
    "until": ["christmas", "my birthday", "friday", "new year's", "halloween", "the weekend",
              "june 5th", "thanksgiving", "summer vacation", "easter", "the twenty third",
              "next monday"],
}

TEMPLATES: dict[str, list[str]] = {
    "timer_set": [
        "set a timer for [duration : {duration}]", "start a [duration : {duration}] timer",
        "timer for [duration : {duration}]", "[duration : {duration}] timer please",
        "set a [name : {name}] timer for [duration : {duration}]",
        "start a timer called [name : {name}] for [duration : {duration}]",
        "can you time [duration : {duration}] for the [name : {name}]",
        "count down [duration : {duration}]", "put a timer on for [duration : {duration}]",
        "set the [name : {name}] timer to [duration : {duration}]",
        "i need a timer for [duration : {duration}]", "new timer [duration : {duration}]",
        "let me know when [duration : {duration}] are up",
        "start a [duration : {duration}] [name : {name}] timer",
        "set a timer", "start a timer please",
    ],
    "timer_query": [
        "how much time is left on the timer", "how long is left on the [name : {name}] timer",
        "how much time is left", "check the timer", "how's the [name : {name}] timer doing",
        "what's left on my timers", "how many minutes are left on the [name : {name}] timer",
        "is the [name : {name}] timer almost done", "time remaining on the timer",
        "what timers are running", "how long until the timer goes off",
        "how long till the [name : {name}] is done",
    ],
    "timer_cancel": [
        "cancel the timer", "cancel the [name : {name}] timer", "stop the [name : {name}] timer",
        "delete all timers", "turn off the timer", "get rid of the [name : {name}] timer",
        "cancel my timers", "remove the timer", "kill the [name : {name}] timer",
        "i don't need the [name : {name}] timer anymore", "clear all the timers",
    ],
    "timer_pause": [
        "pause the timer", "pause the [name : {name}] timer", "resume the timer",
        "resume the [name : {name}] timer", "hold the timer", "unpause the timer",
        "continue the [name : {name}] timer", "put the timer on hold", "freeze the timer",
        "start the timer again", "pause my timers",
    ],
    "timer_change": [
        "make it [duration : {duration}] instead", "change the timer to [duration : {duration}]",
        "add [duration : {duration}] to the timer",
        "add [duration : {duration}] to the [name : {name}] timer",
        "change the [name : {name}] timer to [duration : {duration}]",
        "set the timer to [duration : {duration}] instead",
        "take [duration : {duration}] off the timer", "extend the timer by [duration : {duration}]",
        "actually make that [duration : {duration}]", "reset the timer to [duration : {duration}]",
        "give the [name : {name}] another [duration : {duration}]",
    ],
    "alarm_set": [
        "set an alarm for [time : {time}]", "wake me up at [time : {time}] [date : {date}]",
        "alarm at [time : {time}] [recurrence : {recurrence}]",
        "set an alarm for [time : {time}] [recurrence : {recurrence}]",
        "i need to get up at [time : {time}]", "set my alarm for [date : {date}] at [time : {time}]",
        "create an alarm [date : {date}] at [time : {time}]",
    ],
    "alarm_cancel": [
        "cancel my [time : {time}] alarm", "delete the alarm for [time : {time}]",
        "turn off my alarm", "remove all alarms", "cancel the alarm", "i don't need an alarm tomorrow",
    ],
    "alarm_query": [
        "what alarms do i have", "when is my alarm set for", "is my alarm on", "list my alarms",
        "what time is my alarm", "do i have an alarm set for tomorrow",
    ],
    "reminder_set": [
        "remind me to [task : {task}]", "remind me to [task : {task}] at [time : {time}]",
        "remind me to [task : {task}] [date : {date}]",
        "remind me in [duration : {duration}] to [task : {task}]",
        "remind me [date : {date}] at [time : {time}] to [task : {task}]",
        "set a reminder to [task : {task}]", "don't let me forget to [task : {task}]",
        "reminder [task : {task}] at [time : {time}]",
        "can you remind me to [task : {task}] in [duration : {duration}]",
        "make a reminder for [date : {date}] to [task : {task}]",
    ],
    "reminder_query": [
        "what are my reminders", "do i have any reminders", "read my reminders",
        "what reminders do i have for [date : {date}]", "list my reminders",
        "what did i ask you to remind me about",
    ],
    "memory_remember": [
        "remember that [fact : {fact}]", "remember [fact : {fact}]",
        "please remember that [fact : {fact}]", "note that [fact : {fact}]",
        "make a note that [fact : {fact}]", "keep in mind that [fact : {fact}]",
        "hey remember [fact : {fact}]", "don't forget that [fact : {fact}]",
        "i want you to remember that [fact : {fact}]", "save this [fact : {fact}]",
    ],
    "memory_recall": [
        "where is [query : {query}]", "where did i put [query : {query}]",
        "what is [query : {query}]", "do you remember [query : {query}]",
        "what did i tell you about [query : {query}]", "where are [query : {query}]",
        "what do you know about [query : {query}]", "where did i leave [query : {query}]",
        "remind me where [query : {query}] is", "what was [query : {query}] again",
    ],
    "memory_forget": [
        "forget [query : {query}]", "forget about [query : {query}]",
        "forget what i said about [query : {query}]", "delete the note about [query : {query}]",
        "erase what you know about [query : {query}]", "you can forget [query : {query}] now",
        "remove the memory about [query : {query}]", "forget everything about [query : {query}]",
        "forget everything you remember",
    ],
    "list_add": [
        "add [item : {item}] to my [list : {list}] list", "put [item : {item}] on the [list : {list}] list",
        "add [item : {item}] to the list", "we need [item : {item}]", "we're out of [item : {item}]",
        "add [item : {item} and {item}] to the [list : {list}] list",
        "put [item : {item}] on my list", "can you add [item : {item}] to my [list : {list}] list",
        "write [item : {item}] on the [list : {list}] list", "add [item : {item}]",
    ],
    "list_remove": [
        "remove [item : {item}] from my [list : {list}] list",
        "take [item : {item}] off the [list : {list}] list", "delete [item : {item}] from the list",
        "cross [item : {item}] off my list", "i already got [item : {item}] take it off the list",
        "remove [item : {item}] from the list", "scratch [item : {item}] off the [list : {list}] list",
    ],
    "list_read": [
        "what's on my [list : {list}] list", "read me the [list : {list}] list",
        "what is on the list", "read my [list : {list}] list", "what do i need from the store",
        "is [item : {item}] on my [list : {list}] list", "tell me my [list : {list}] list",
        "what's on the list",
    ],
    "list_clear": [
        "clear my [list : {list}] list", "empty the [list : {list}] list",
        "delete everything on my [list : {list}] list", "clear the list",
        "wipe the [list : {list}] list", "remove everything from the [list : {list}] list",
        "start a fresh [list : {list}] list", "clear out my list", "erase the whole [list : {list}] list",
        "reset the [list : {list}] list",
    ],
    "math_calculate": [
        "what is [expression : {expression}]", "what's [expression : {expression}]",
        "calculate [expression : {expression}]", "how much is [expression : {expression}]",
        "[expression : {expression}]", "can you work out [expression : {expression}]",
    ],
    "unit_convert": [
        "convert [amount : {amount}] [from_unit : {unit}] to [to_unit : {unit}]",
        "how many [to_unit : {unit}] in [amount : {amount}] [from_unit : {unit}]",
        "what is [amount : {amount}] [from_unit : {unit}] in [to_unit : {unit}]",
        "how many [to_unit : {unit}] are in a [from_unit : {unit}]",
        "[amount : {amount}] [from_unit : {unit}] in [to_unit : {unit}]",
    ],
    "volume_set": [
        "set the volume to [level : {level}]", "volume [level : {level}]",
        "turn the volume to [level : {level}]", "change volume to [level : {level}]",
        "put the volume at [level : {level}]", "make the volume [level : {level}]",
        "turn it up to [level : {level}]", "turn it down to [level : {level}]",
    ],
    "volume_up": ["louder", "turn it up", "volume up", "a bit louder please", "i can't hear you"],
    "volume_down": ["quieter", "turn it down", "volume down", "too loud", "lower the volume"],
    "volume_mute": ["mute", "mute yourself", "unmute", "go silent", "mute the speaker"],
    "lights_on": [
        "turn on the lights", "turn on the [place : {place}] lights",
        "turn the lights on in the [place : {place}]", "lights on", "switch on the [place : {place}] light",
        "[place : {place}] lights on", "put the lights on please", "can you turn on the light",
    ],
    "lights_off": [
        "turn off the lights", "turn off the [place : {place}] lights",
        "switch off the light in the [place : {place}]", "lights off", "[place : {place}] lights off",
        "kill the lights", "shut off the [place : {place}] light",
    ],
    "time_until": [
        "how many days until [date : {until}]", "how long until [date : {until}]",
        "how many weeks till [date : {until}]", "how much longer until [date : {until}]",
        "how many sleeps until [date : {until}]", "how long is it to [date : {until}]",
        "count the days to [date : {until}]", "when is [date : {until}]",
    ],
    "datetime_query": ["what time is it", "what's the date", "what day is it",
                       "what's today's date", "tell me the time", "what day of the week is it"],
    "stop": ["stop", "stop talking", "that's enough", "be quiet", "shut up", "stop it", "enough",
             "quiet please", "stop the music", "hush"],
    "cancel": ["never mind", "cancel", "forget it", "cancel that", "nevermind", "scratch that",
               "ignore that", "nothing", "don't worry about it"],
    "repeat": ["say that again", "repeat that", "what did you say", "come again", "pardon",
               "sorry what was that", "can you repeat that", "i didn't catch that"],
    "help": ["what can you do", "help", "what can i ask you", "how do i use you",
             "what are you able to do", "what commands do you know", "i need help",
             "what do you do", "what are your features", "what kind of things can you help with"],
    "greeting": ["hello", "hi there", "good morning", "hey", "good evening", "howdy",
                 "hi hearth", "hello there", "morning"],
    "identity": ["who are you", "what's your name", "what are you", "are you a robot",
                 "who made you", "what should i call you"],
    "affirm": ["yes", "yeah", "yes please", "sure", "correct", "that's right", "yep", "go ahead",
               "okay", "do it"],
    "negate": ["no", "nope", "no thanks", "not now", "no that's wrong", "nah", "don't",
               "no thank you", "that's not right"],
    "thanks": ["thanks", "thank you", "thanks a lot", "cheers", "thank you so much",
               "much appreciated"],
    "joke": ["tell me a joke", "make me laugh", "know any good jokes", "say something funny",
             "another joke"],
    "news_query": ["what's the news", "read me the headlines", "any news today",
                   "what's happening in the world"],
}

# utterances the tests use as unseen examples: never generated
HELD_OUT: frozenset[str] = frozenset({
    "set a timer for ten minutes", "pause the timer", "cancel the egg timer",
    "add milk and eggs to my shopping list", "remember that my car is parked on level 3",
    "where is my car", "clear the shopping list", "make it twenty minutes instead",
    "how much time is left on the timer",
})



def _fill(template: str, rng: random.Random) -> str:
    """Replace ``{filler}`` placeholders (inside or outside slot brackets) with random values."""
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(FILLERS[m.group(1)]), template)


def generate(per_template: int = 10, seed: int = 13) -> list[Example]:
    """Distinct templated examples with BIO tags, ``per_template`` tries per template."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Example] = []
    for intent, templates in TEMPLATES.items():
        for template in templates:
            tries = per_template if "{" in template else 1
            for _ in range(tries):
                words, tags = parse_annotation(_fill(template, rng))
                text = " ".join(words)
                if text in seen or text in HELD_OUT:
                    continue
                seen.add(text)
                out.append(Example(words, intent, tags, "synth", intent, tags))
    return out
