"""How HWU64, CLINC150 and SNIPS intents and slots map onto Hearth's intents and slots.

Data-set intents Hearth has no skill for are kept as *auxiliary* classes named
``aux:<intent>`` (train.py explains why, with numbers); the runtime folds their probability
into ``out_of_scope``. Data-set intents that mix several Hearth intents (CLINC
``shopping_list_update`` = add or remove, ``change_volume`` = up, down or set) are split by the
keyword rules; what the rules can't place stays auxiliary.
"""

from __future__ import annotations

from assistant.training.datasets import Example, with_intent
from assistant.understanding.intents import AUX, INTENTS, OUT_OF_SCOPE
from assistant.understanding.keywords import KeywordUnderstander

HWU64: dict[str, str] = {
    "alarm_query": "alarm_query", "alarm_remove": "alarm_cancel", "alarm_set": "alarm_set",
    "audio_volume_down": "volume_down", "audio_volume_mute": "volume_mute",
    "audio_volume_up": "volume_up", "calendar_query": "reminder_query",
    "calendar_remove": "reminder_cancel", "calendar_set": "reminder_set", "datetime_query": "datetime_query",
    "general_affirm": "affirm", "general_negate": "negate", "general_commandstop": "stop",
    "general_joke": "joke", "general_repeat": "repeat", "general_explain": "repeat",
    "general_praise": "thanks", "iot_hue_lightoff": "lights_off", "iot_hue_lighton": "lights_on",
    "lists_createoradd": "list_add", "lists_query": "list_read", "lists_remove": "list_remove",
    "news_query": "news_query", "play_music": "play_music", "weather_query": "weather_query",
    "qa_maths": "math_calculate", "qa_factoid": "general_question",
    "qa_definition": "general_question",
}

CLINC150: dict[str, str] = {
    "alarm": "alarm_set", "timer": "timer_set", "time": "datetime_query", "date": "datetime_query",
    "calculator": "math_calculate", "measurement_conversion": "unit_convert",
    "weather": "weather_query", "tell_joke": "joke", "greeting": "greeting", "thank_you": "thanks",
    "what_is_your_name": "identity", "who_made_you": "identity", "are_you_a_bot": "identity",
    "how_old_are_you": "identity", "where_are_you_from": "identity",
    "who_do_you_work_for": "identity", "what_can_i_ask_you": "help", "yes": "affirm",
    "no": "negate", "repeat": "repeat", "cancel": "cancel", "play_music": "play_music",
    "reminder": "reminder_query", "reminder_update": "reminder_set", "shopping_list": "list_read",
    "todo_list": "list_read", "definition": "general_question", "fun_fact": "general_question",
    "meaning_of_life": "general_question", "calendar": "reminder_query", "oos": OUT_OF_SCOPE,
}

SNIPS: dict[str, str] = {"GetWeather": "weather_query", "PlayMusic": "play_music"}

# data-set intents whose utterances the keyword rules split into these Hearth intents
SPLIT_BY_KEYWORDS: dict[str, frozenset[str]] = {
    "shopping_list_update": frozenset({"list_add", "list_remove", "list_clear"}),
    "todo_list_update": frozenset({"list_add", "list_remove", "list_clear"}),
    "change_volume": frozenset({"volume_up", "volume_down", "volume_set", "volume_mute"}),
    "smart_home": frozenset({"lights_on", "lights_off"}),
    "lists_remove": frozenset({"list_remove", "list_clear"}),
    "audio_volume_up": frozenset({"volume_up", "volume_set"}),
    "audio_volume_down": frozenset({"volume_down", "volume_set"}),
}

# data-set slot -> Hearth slot; a (slot, Hearth intent) key applies to that intent only.
# Slots are tagged whatever the intent (a date is a date); the runtime keeps only the slots
# the predicted intent takes.
SLOTS: dict[str | tuple[str, str], str] = {
    "date": "date", "time": "time", "timeofday": "time", "place_name": "place",
    "house_place": "place", "list_name": "list", "artist_name": "artist", "song_name": "song",
    "general_frequency": "recurrence", ("event_name", "reminder_set"): "task",
    ("event_name", "reminder_cancel"): "task",
    ("change_amount", "volume_set"): "level",
    # SNIPS
    "artist": "artist", "track": "song", "city": "place", "country": "place", "state": "place",
    "geographic_poi": "place", ("timeRange", "weather_query"): "date",
}

_KEYWORDS = KeywordUnderstander()
SURE = 0.9  # keyword confidence above which its slots are trusted as training labels


def hearth_intent(source: str, native: str, words: tuple[str, ...]) -> str:
    """Hearth intent (or ``aux:...``) for a data-set utterance."""
    table = {"hwu64": HWU64, "clinc150": CLINC150, "snips": SNIPS}[source]
    split = SPLIT_BY_KEYWORDS.get(native)
    if split:
        guess = _KEYWORDS.parse(" ".join(words)).intent
        if guess in split:
            return guess
        if native not in table:
            return AUX + native
    return table.get(native, AUX + native)


def _map_tag(tag: str, intent: str) -> str:
    if tag == "O":
        return "O"
    bio, _, slot = tag.partition("-")
    hearth = SLOTS.get((slot, intent)) or SLOTS.get(slot)
    return "O" if hearth is None else f"{bio}-{hearth}"


# slot types no data set annotates: the keyword rules label them ("silver" labels)
SILVER_SLOTS = frozenset({"item", "task", "fact", "query", "expression", "duration", "name",
                          "amount", "from_unit", "to_unit", "level"})


def silver_tags(words: tuple[str, ...], tags: tuple[str, ...], intent: str,
                slots: frozenset[str] | None = SILVER_SLOTS) -> tuple[str, ...]:
    """Add keyword-rule slots of types the data sets never label (HWU64 leaves list items,
    timer durations and the like unlabeled); annotated types (place, date...) are left alone.
    ``slots=None`` takes every slot the rules find."""
    rule_slots = _KEYWORDS.agreeing_slots(words, intent) if intent in INTENTS else None
    if rule_slots is None:
        return tags
    out = list(tags)
    for s in rule_slots:
        if (slots is not None and s.name not in slots) or s.end > len(out) or any(t != "O" for t in out[s.start:s.end]):
            continue
        if s.name in {n for n in (t[2:] for t in tags if t != "O")}:
            continue
        out[s.start:s.end] = [f"B-{s.name}"] + [f"I-{s.name}"] * (s.end - s.start - 1)
    return tuple(out)


def keyword_tags(words: tuple[str, ...], intent: str) -> tuple[str, ...] | None:
    """BIO tags from the keyword rules when they agree on the intent, else None (unlabeled).

    CLINC150 has no slot labels; where the rules understand an utterance the same way, their
    slots (durations, list items, units...) are good enough to train the tagger on.
    """
    if _KEYWORDS.agreeing_slots(words, intent, SURE) is None:
        return None
    return silver_tags(words, ("O",) * len(words), intent, slots=None)


def to_hearth(e: Example) -> Example:
    """Map an example's intent and (native) tags onto Hearth's labels."""
    intent = hearth_intent(e.source, e.native, e.words)
    tags = None
    if e.source == "clinc150" and intent in INTENTS and intent != OUT_OF_SCOPE:
        tags = keyword_tags(e.words, intent)
    if e.native_tags is not None:
        tags = tuple(_map_tag(t, intent) for t in e.native_tags)
        if e.source == "hwu64":
            tags = silver_tags(e.words, tags, intent)
    return with_intent(e, intent, tags)
