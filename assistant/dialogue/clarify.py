"""Words for "Did you mean ...?" and for telling yes from no."""

from __future__ import annotations

from assistant.events import Understanding
from assistant.understanding.intents import INTENTS

# verb phrases that fit "did you want me to ...?"; intents not listed use their description
PHRASES: dict[str, str] = {
    "datetime_query": "tell you the time or date", "time_until": "count the days until a date",
    "timer_set": "set a timer", "timer_query": "check a timer", "timer_cancel": "cancel a timer",
    "timer_pause": "pause or resume a timer", "timer_change": "change a timer",
    "alarm_set": "set an alarm", "alarm_query": "list your alarms",
    "alarm_cancel": "remove an alarm", "reminder_set": "set a reminder",
    "reminder_query": "list your reminders", "reminder_cancel": "cancel a reminder", "memory_remember": "remember something",
    "memory_recall": "recall something you told me", "memory_forget": "forget something",
    "list_add": "add to a list", "list_remove": "take something off a list",
    "list_read": "read a list", "list_clear": "clear a list", "math_calculate": "do a sum",
    "unit_convert": "convert units", "volume_up": "turn the volume up",
    "volume_down": "turn the volume down", "volume_set": "set the volume",
    "volume_mute": "mute", "lights_on": "turn the lights on", "lights_off": "turn the lights off",
    "help": "tell you what I can do", "identity": "tell you who I am", "joke": "tell a joke",
    "weather_query": "check the weather", "news_query": "read the news",
    "play_music": "play music",
}
YES = frozenset({"yes", "yeah", "yea", "yep", "yup", "sure", "okay", "ok", "correct",
                 "definitely", "absolutely", "affirmative", "alright"})
YES_PHRASES = ("go ahead", "do it", "please do", "that's right", "thats right", "of course")
NO = frozenset({"no", "nope", "nah", "don't", "dont", "negative", "not", "never"})
DID_YOU_MEAN = "dialogue.did_you_mean"  # the reply's key when it asks about an understanding
DID_YOU_SAY = "dialogue.did_you_say"  # ... of an intent Hearth has no words for, in the words heard
ASKS_YES_OR_NO = frozenset({DID_YOU_MEAN, DID_YOU_SAY})  # questions a "yes" confirms


def question(u: Understanding) -> tuple[str, str]:
    """How to ask whether ``u`` is what the user wants: the reply's key and what it names. A
    built-in intent is named by what the assistant would do ("did you want me to set a
    timer?"); a custom one has only a name its author chose ("WaterGarden"), so it is asked
    about in the words heard ("did you say: water the rose bed for twenty minutes?")."""
    phrase = PHRASES.get(u.intent) or (INTENTS[u.intent][1] if u.intent in INTENTS else "")
    if phrase or not u.text.strip():
        return DID_YOU_MEAN, phrase or u.intent
    return DID_YOU_SAY, " ".join(u.text.split())


def yes_no(u: Understanding) -> bool | None:
    """True for yes, False for no, None for neither (then the answer is a new request)."""
    return says_yes(u.intent, u.text)


def says_yes(intent: str, text: str) -> bool | None:
    """``yes_no`` on an utterance's intent and words (the history reads answers so)."""
    if intent == "affirm":
        return True
    if intent == "negate":
        return False
    words = text.lower().replace(",", " ").split()
    if not words:
        return None
    if (words[0] in YES and not (len(words) > 1 and words[1] in ("not", "don't"))) or \
            " ".join(words).startswith(YES_PHRASES):
        return True
    if words[0] in NO:
        return False
    return None
