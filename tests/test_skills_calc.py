"""Arithmetic and unit conversion from spoken words."""

from __future__ import annotations

import pytest
from skills_helpers import Conversation

from assistant.values.arithmetic import MathError, calculate
from assistant.values.units import canonical_unit, convert, find_conversion, unit_named

SUMS = [
    ("what's fifteen percent of eighty", 12), ("what is twelve times seven", 84),
    ("a hundred divided by four", 25), ("three plus four times two", 11),
    ("square root of sixteen", 4), ("two to the power of ten", 1024), ("five squared", 25),
    ("minus five plus two", -3), ("half of ninety", 45), ("what is 3 + 4", 7),
    ("seven minus three", 4), ("two point five times four", 10), ("three cubed", 27),
    ("twelve x three", 36), ("a third of ninety", 30), ("what is -5 plus 2", -3),
    ("-0.5 times 4", -2),
]


@pytest.mark.parametrize("text,value", SUMS)
def test_calculate(text: str, value: float) -> None:
    assert calculate(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["hello", "plus", "five plus", "ten divided by zero", ""])
def test_not_arithmetic(text: str) -> None:
    with pytest.raises(MathError):
        calculate(text)


CONVERSIONS = [
    ("how many ounces in a kilo", "kilogram", "ounce", 35.274),
    ("convert five miles to kilometers", "mile", "kilometer", 8.0467),
    ("what is 20 degrees celsius in fahrenheit", "degree Celsius", "degree Fahrenheit", 68),
    ("how many feet in a mile", "mile", "foot", 5280),
    ("ten pounds in kilos", "pound", "kilogram", 4.5359),
    ("how many cups in a gallon", "gallon", "cup", 16),
    ("convert 100 fahrenheit to celsius", "degree Fahrenheit", "degree Celsius", 37.778),
    ("how many minutes in two hours", "hour", "minute", 120),
]


@pytest.mark.parametrize("text,src,dst,value", CONVERSIONS)
def test_find_and_convert(text: str, src: str, dst: str, value: float) -> None:
    amount, a, b = find_conversion(text)
    assert (a.name, b.name) == (src, dst)
    assert convert(amount, a, b) == pytest.approx(value, rel=1e-3)


def test_units_of_different_kinds_do_not_convert() -> None:
    with pytest.raises(ValueError):
        convert(1, unit_named("mile"), unit_named("kilogram"))
    assert canonical_unit("lbs") == "pound" and canonical_unit("parsecs") is None


def test_skill_replies() -> None:
    c = Conversation()
    r = c.say("what's fifteen percent of eighty", "math_calculate",
              expression="fifteen percent of eighty")
    assert r.data["key"] == "math.result" and "12" in r.text
    r = c.say("what is ten divided by zero", "math_calculate")
    assert r.data["key"] == "math.divide_by_zero" and not r.ok
    r = c.say("how many ounces in a kilo", "unit_convert")
    assert r.data["key"] == "unit.result" and "35.27" in r.text
    r = c.say("convert five miles to kilometers", "unit_convert", amount="five",
              from_unit="miles", to_unit="kilometers")
    assert "8.047 kilometers" in r.text
    assert c.key("convert five miles to kilograms", "unit_convert", amount="five",
                 from_unit="miles", to_unit="kilograms") == "unit.incompatible"
    assert c.key("what is the meaning of life", "math_calculate") == "math.unknown"


def test_a_sum_that_starts_with_an_operator_goes_on_from_the_last_result() -> None:
    """ "what's 15 times 12" ... "and divided by 3" was "I didn't catch the sum."."""
    c = Conversation()
    assert c.say("what's 15 times 12", "math_calculate", expression="fifteen times twelve"
                 ).data["value"] == 180
    r = c.say("and divided by 3", "math_calculate", 0.98, expression="divided by three")
    assert r.data["key"] == "math.result" and r.data["value"] == 60
    assert c.say("times two", "math_calculate", expression="times two").data["value"] == 120
    assert c.say("divided by nine", "math_calculate", expression="divided by nine"
                 ).data["value"] == pytest.approx(120 / 9)
    assert c.say("times nine", "math_calculate", expression="times nine").data["value"] == 120
    assert c.key("plus", "math_calculate", expression="plus") == "math.unknown"
    assert c.say("minus five", "math_calculate", expression="minus five").data["value"] == -5
