"""Custom commands said in other words (``understanding/near.py``): understood when the words
name the intent's values and share most of a template sentence's words; other talk is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from intents_helpers import GARDEN

from assistant.events import Understanding
from assistant.sentences.load import builtin, load
from assistant.understanding.door import TemplateUnderstander
from assistant.understanding.intents import OUT_OF_SCOPE
from assistant.understanding.near import PER_TEMPLATE, NearTemplates, dice
from assistant.values.slots import resolve

HEATING = """\
language: en
intents:
  HeatRoom:
    data:
      - sentences:
          - "(heat|warm) [up] [the] {room} to {degrees} [degrees]"
          - "set [the] {room} to {degrees} degrees"
  SetMode:
    data:
      - sentences:
          - "(switch|set|put) [the] (heating|thermostat) (to|in|into) {mode} [mode]"
  Dim:
    data:
      - sentences:
          - "dim the {room} lamp"
  AllOff:
    data:
      - sentences:
          - "turn everything off in the house"
lists:
  room:
    values: [bedroom, living room, {in: "(kids room|nursery)", out: nursery}]
  degrees: {range: {from: 10, to: 30}}
  mode: {values: [eco, comfort, {in: "(holiday|vacation)", out: holiday}]}
"""


class _OutOfScope:
    """An understander that understands nothing (the model on a custom phrasing)."""

    name = version = "nothing"

    def parse(self, text: str) -> Understanding:
        return Understanding(text=text, intent=OUT_OF_SCOPE, confidence=0.9, in_scope=False)


class _Lights(_OutOfScope):
    def parse(self, text: str) -> Understanding:
        return Understanding(text=text, intent="lights_on", confidence=0.9)


@pytest.fixture(scope="module")
def heating(tmp_path_factory) -> object:
    folder: Path = tmp_path_factory.mktemp("intents")
    (folder / "heating.yaml").write_text(HEATING, encoding="utf-8")
    (folder / "garden.yaml").write_text(GARDEN, encoding="utf-8")
    return load(folder)


@pytest.mark.parametrize("text,intent,slots", [
    ("bump the living room up to twenty two", "HeatRoom",
     {"room": "living room", "degrees": 22}),
    ("could you warm the kids room up to 19 degrees", "HeatRoom",
     {"room": "nursery", "degrees": 19}),
    ("put it in eco mode", "SetMode", {"mode": "eco"}),
    ("we're going on vacation so set the heating to holiday mode", "SetMode", {"mode": "holiday"}),
])
def test_a_custom_command_in_other_words_is_understood(heating, text, intent, slots):
    door = TemplateUnderstander(_OutOfScope(), heating)
    assert door.matcher.match(text) is None  # no template says it
    u = resolve(door.parse(text))
    assert (u.intent, u.source, u.in_scope) == (intent, "near", True)
    assert {s.name: s.value for s in u.slots} == slots
    assert 0.7 <= u.confidence < 1.0
    words = u.text.split()  # as said: "19" is "nineteen"
    for s in u.slots:  # word spans point at the slot's words
        assert " ".join(words[s.start:s.end]) == s.text


@pytest.mark.parametrize("text", [
    "please make the bedroom a bit warmer",  # the template names degrees; these words do not
    "what a lovely bedroom you have in that house",  # a value, but little else in common
    "set the bedroom to eco",  # a room, which SetMode has no slot for; no degrees
    "switch the heating from eco to comfort",  # one slot, two values
    "turn everything off in the whole house please",  # no slot to hold on to
    "dim the bedroom lamp",  # a template itself: the matcher's, and it has a slot
    "what is the capital of france",
])
def test_other_talk_is_not_a_custom_command(heating, text):
    near = NearTemplates(heating)
    u = near.match(text)
    assert u is None or (text == "dim the bedroom lamp" and u.confidence == 1.0)


def test_the_model_is_asked_first_and_built_in_intents_are_never_guessed(heating):
    assert TemplateUnderstander(_Lights(), heating).parse("bump the living room up to twenty two").intent == "lights_on"
    near = NearTemplates(builtin())  # no custom intents: nothing to look at, nothing found
    assert near.skeletons == {} and near.match("set a timer for ten minutes please now") is None
    assert "WaterGarden" in NearTemplates(heating).skeletons


def test_dice_is_the_share_of_words_in_common():
    assert dice(("a", "b"), ("a", "b")) == 1.0
    assert dice(("a", "b", "c"), ("a", "d")) == pytest.approx(2 * 1 / 5)
    assert dice(("a", "a"), ("a",)) == pytest.approx(2 * 1 / 3)  # bags, not sets
    assert dice((), ()) == 0.0


def test_a_template_with_very_many_optional_words_is_read_in_part(tmp_path):
    """2^30 ways to say it: at most PER_TEMPLATE of them are kept, each part bounded too
    (unbounded, building this would not end)."""
    optional = " ".join(f"[w{i}]" for i in range(30))
    (tmp_path / "many.yaml").write_text(f"""\
language: en
intents:
  Many:
    data:
      - sentences: ["((go {optional})|stop) the {{room}}"]
lists:
  room: {{values: [attic, cellar]}}
""", encoding="utf-8")
    near = NearTemplates(load(tmp_path))
    assert 1 < len(near.skeletons["Many"]) <= PER_TEMPLATE
    assert near.match("please stop the attic now").intent == "Many"
