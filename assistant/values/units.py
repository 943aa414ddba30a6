"""Unit conversion table: each unit is a factor (and offset, for temperatures) to a base unit of
its kind. One table serves parsing ("kilo", "lbs", "degrees fahrenheit") and converting."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.values.number import Number, read_number, tokenize


@dataclass(frozen=True)
class Unit:
    name: str
    plural: str
    kind: str
    factor: float  # base units per one of this unit
    offset: float = 0.0  # base = value * factor + offset (temperatures)

    def say(self, amount: float) -> str:
        return self.name if abs(amount - 1) < 1e-9 else self.plural


# name, plural, kind, factor, aliases
TABLE: list[tuple[str, str, str, float, tuple[str, ...]]] = [
    ("millimeter", "millimeters", "length", 0.001, ("mm", "millimetre", "millimetres")),
    ("centimeter", "centimeters", "length", 0.01, ("cm", "centimetre", "centimetres")),
    ("meter", "meters", "length", 1.0, ("metre", "metres")),
    ("kilometer", "kilometers", "length", 1000.0, ("km", "kilometre", "kilometres", "k")),
    ("inch", "inches", "length", 0.0254, ("in",)),
    ("foot", "feet", "length", 0.3048, ("ft", "foots")),
    ("yard", "yards", "length", 0.9144, ("yd",)),
    ("mile", "miles", "length", 1609.344, ("mi",)),
    ("milligram", "milligrams", "mass", 1e-6, ("mg",)),
    ("gram", "grams", "mass", 0.001, ("g", "gramme", "grammes")),
    ("kilogram", "kilograms", "mass", 1.0, ("kg", "kilo", "kilos", "kilogramme", "kilogrammes")),
    ("ounce", "ounces", "mass", 0.028349523125, ("oz",)),
    ("pound", "pounds", "mass", 0.45359237, ("lb", "lbs")),
    ("stone", "stone", "mass", 6.35029318, ("stones",)),
    ("ton", "tons", "mass", 1000.0, ("tonne", "tonnes")),
    ("milliliter", "milliliters", "volume", 0.001, ("ml", "millilitre", "millilitres")),
    ("liter", "liters", "volume", 1.0, ("l", "litre", "litres")),
    ("teaspoon", "teaspoons", "volume", 0.00492892, ("tsp",)),
    ("tablespoon", "tablespoons", "volume", 0.0147868, ("tbsp",)),
    ("cup", "cups", "volume", 0.2365882365, ()),
    ("fluid ounce", "fluid ounces", "volume", 0.0295735, ("fl oz",)),
    ("pint", "pints", "volume", 0.473176473, ()),
    ("quart", "quarts", "volume", 0.946352946, ()),
    ("gallon", "gallons", "volume", 3.785411784, ()),
    ("second", "seconds", "time", 1.0, ("sec", "secs")),
    ("minute", "minutes", "time", 60.0, ("min", "mins")),
    ("hour", "hours", "time", 3600.0, ("hr", "hrs")),
    ("day", "days", "time", 86400.0, ()),
    ("week", "weeks", "time", 604800.0, ()),
    ("kilometer per hour", "kilometers per hour", "speed", 1 / 3.6,
     ("kph", "km per hour", "kilometres per hour", "kilometre per hour", "km h")),
    ("mile per hour", "miles per hour", "speed", 0.44704, ("mph",)),
    ("meter per second", "meters per second", "speed", 1.0, ("metres per second",)),
]
TEMPERATURES = [
    Unit("degree Celsius", "degrees Celsius", "temperature", 1.0, 273.15),
    Unit("degree Fahrenheit", "degrees Fahrenheit", "temperature", 5 / 9, 273.15 - 32 * 5 / 9),
    Unit("kelvin", "kelvin", "temperature", 1.0, 0.0),
]
TEMPERATURE_ALIASES = {"celsius": 0, "centigrade": 0, "c": 0, "fahrenheit": 1, "f": 1,
                       "kelvin": 2, "kelvins": 2}


def _build() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for name, plural, kind, factor, aliases in TABLE:
        unit = Unit(name, plural, kind, factor)
        for alias in (name, plural, *aliases):
            units[" ".join(tokenize(alias))] = unit
    for alias, index in TEMPERATURE_ALIASES.items():
        units[alias] = units["degrees " + alias] = units["degree " + alias] = TEMPERATURES[index]
    return units


UNITS = _build()
LONGEST = max(len(k.split()) for k in UNITS)


def read_unit(toks: list[str], i: int) -> tuple[Unit, int] | None:
    """The longest unit name at ``toks[i]``."""
    for size in range(min(LONGEST, len(toks) - i), 0, -1):
        unit = UNITS.get(" ".join(toks[i:i + size]))
        if unit:
            return unit, i + size
    return None


def canonical_unit(text: str) -> str | None:
    """ "kilos" -> "kilogram", "degrees f" -> "degree Fahrenheit"; None if unknown."""
    toks = [t for t in tokenize(text) if t not in ("a", "an", "the", "one")]
    got = read_unit(toks, 0) if toks else None
    return got[0].name if got and got[1] == len(toks) else None


def unit_named(name: str) -> Unit | None:
    return UNITS.get(" ".join(tokenize(name)))


def convert(amount: float, src: Unit, dst: Unit) -> float:
    """Convert through the base unit; raises ValueError across kinds (miles to kilograms)."""
    if src.kind != dst.kind:
        raise ValueError(f"cannot convert {src.plural} to {dst.plural}")
    return (amount * src.factor + src.offset - dst.offset) / dst.factor


def find_conversion(text: str) -> tuple[Number, Unit, Unit] | None:
    """Read "convert five miles to kilometers", "how many ounces in a kilo", "20 c in f"
    -> (amount, from, to). "how many X in Y" names the target first."""
    toks = tokenize(text)
    found: list[tuple[Number | None, Unit]] = []
    i = 0
    while i < len(toks):
        num = read_number(toks, i)
        start = num[1] if num else i
        unit = read_unit(toks, start)
        if unit and toks[i] not in ("in", "to", "into"):
            amount = num[0] if num else (1 if i > 0 and toks[i - 1] in ("a", "an", "one") else None)
            found.append((amount, unit[0]))
            i = unit[1]
            continue
        i += 1
    if len(found) != 2:
        return None
    (a1, u1), (a2, u2) = found
    if toks[:2] in (["how", "many"], ["how", "much"]):
        return (a2 if a2 is not None else 1), u2, u1
    return (a1 if a1 is not None else 1), u1, u2
