"""Regex fragments for spoken numbers, durations, times, dates and places.

Kept apart from the rules so the keyword understander and the NLU model's post-processing use
the same idea of what "ten minutes" or "half past six" looks like. All patterns work on the
output of :func:`assistant.understanding.text.split_words` (lower case, single spaces).
"""

from __future__ import annotations


def _alt(words: str) -> str:
    """``"a b c"`` -> ``(?:a|b|c)``, longest first so "sixteen" wins over "six"."""
    return "(?:" + "|".join(sorted(words.split(), key=len, reverse=True)) + ")"


_UNITS_WORDS = _alt(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand"
)
_NUM_ATOM = rf"(?:\d+(?:[.,]\d+)?|{_UNITS_WORDS})"
NUMBER = rf"(?:{_NUM_ATOM}(?:[ -](?:and )?{_NUM_ATOM})*)"
_QUANTITY = rf"(?:{NUMBER}|an?|a couple(?: of)?|a few|couple of|few|half an?|a half|a quarter(?: of an?)?)"
_TIME_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)"
_DUR_PART = rf"(?:{_QUANTITY}(?: and a half)? {_TIME_UNIT}(?: and a half)?)"
DURATION = rf"(?:{_DUR_PART}(?:,? (?:and )?{_DUR_PART})*|half an hour)"

_CLOCK = rf"(?:\d{{1,2}}(?::\d{{2}})?|{NUMBER})"
_AMPM = r"(?:am|pm|a\.m|p\.m|a\.m\.|p\.m\.|o'clock|oclock)"
TIME = (
    rf"(?:noon|midnight|(?:half|quarter|{NUMBER}(?: minutes?)?) (?:past|to|after) {_CLOCK}"
    rf"(?: {_AMPM})?|{_CLOCK} ?{_AMPM}|\d{{1,2}}:\d{{2}}|{_CLOCK}(?= (?:in the )?(?:morning|"
    rf"afternoon|evening|tonight)))"
)
TIME_AFTER_AT = rf"(?:{_CLOCK}(?: {_AMPM})?)"

_WEEKDAY = _alt("monday tuesday wednesday thursday friday saturday sunday")
_MONTH = _alt(
    "january february march april may june july august september october november december"
)
_ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|"
    r"tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|twentieth|twenty[ -](?:first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth)|thirtieth|thirty[ -]first)"
)
DATE = (
    rf"(?:today|tomorrow|tonight|yesterday|the day after tomorrow|this (?:morning|afternoon|"
    rf"evening|weekend)|next (?:week|month|year|weekend|{_WEEKDAY})|this {_WEEKDAY}|"
    rf"(?:on )?{_WEEKDAY}s?|{_MONTH} {_ORDINAL}|{_MONTH} \d{{1,2}}|(?:the )?{_ORDINAL} of "
    rf"{_MONTH}|{_ORDINAL} of {_MONTH}|christmas(?: day| eve)?|new year'?s?(?: day| eve)?|"
    rf"halloween|thanksgiving|easter|my birthday)"
)
RECURRENCE = (
    rf"(?:every (?:day|morning|evening|night|weekday|weekend|week|{_WEEKDAY})|daily|weekly|"
    rf"on weekdays|weekdays|on weekends|{_WEEKDAY}s)"
)

ROOMS = (
    "living room|dining room|family room|kids room|guest room|laundry room|bedroom|kitchen|"
    "bathroom|hallway|hall|garage|office|basement|attic|porch|garden|nursery|den|study|lounge|"
    "upstairs|downstairs|patio|closet|toilet|landing|entrance|backyard|front yard|yard"
)
ROOM = rf"(?:(?:master |main |front |back |kids' |kid's )?(?:{ROOMS}))"

UNIT = (
    r"(?:(?:square |cubic )?(?:kilometers?|kilometres?|km|meters?|metres?|centimeters?|"
    r"centimetres?|cm|millimeters?|millimetres?|mm|miles?|feet|foot|ft|inch(?:es)?|yards?|"
    r"kilograms?|kilos?|kg|grams?|g|milligrams?|mg|pounds?|lbs?|ounces?|oz|stones?|tons?|"
    r"tonnes?|liters?|litres?|milliliters?|millilitres?|ml|gallons?|quarts?|pints?|cups?|"
    r"tablespoons?|teaspoons?|fluid ounces?|degrees? (?:celsius|fahrenheit|centigrade)|"
    r"celsius|fahrenheit|centigrade|kelvin|miles per hour|mph|kilometers per hour|km/h|"
    r"kilometres per hour|knots?|acres?|hectares?|calories|joules?|kilojoules?|seconds?|"
    r"minutes?|hours?|days?|weeks?|years?))"
)

_OPERATOR = (
    r"(?:plus|minus|times|x|\*|\+|-|/|multiplied by|divided by|divide by|over|"
    r"to the power of|raised to|percent of|% of|mod|modulo|and)"
)
EXPRESSION = (
    rf"(?:(?:the )?square root of {NUMBER}|{NUMBER} (?:squared|cubed)|{NUMBER}(?: {_OPERATOR}"
    rf" {NUMBER})+|{NUMBER}(?:[+*/x-]{NUMBER})+)"
)

VOLUME_LEVEL = rf"(?:{NUMBER}(?: percent|%)?|max(?:imum)?|min(?:imum)?|full|half|low|medium|high)"
