"""Durations in seconds: "an hour and a half", "ninety seconds", "one hour twenty"."""

from __future__ import annotations

from assistant.values.number import (
    FILLER,
    FRACTIONS,
    Number,
    as_number,
    read_fraction,
    read_number,
    tokenize,
)

# duration unit words -> seconds
DURATION_UNITS = {
    "second": 1, "seconds": 1, "sec": 1, "secs": 1,
    "minute": 60, "minutes": 60, "min": 60, "mins": 60,
    "hour": 3600, "hours": 3600, "hr": 3600, "hrs": 3600,
    "day": 86400, "days": 86400,
    "week": 604800, "weeks": 604800,
}
# relative day words -> offset from today


def read_duration(toks: list[str], i: int) -> tuple[float, int] | None:
    """Read "an hour and a half", "two and a half hours", "a minute and thirty seconds",
    "half an hour", "one hour twenty" starting at ``toks[i]`` -> (seconds, index after)."""
    n, total, j, last_unit, found = len(toks), 0.0, i, 0, False
    while j < n:
        k = j
        if found and toks[k] in ("and", "plus") and k + 1 < n:
            k += 1
        part = _read_duration_part(toks, k)
        if part is not None:
            seconds, unit, k = part
            total, last_unit, found, j = total + seconds, unit, True, k
            if k + 2 < n and toks[k] == "and" and toks[k + 1] in ("a", "an") and toks[k + 2] in FRACTIONS:
                total, j = total + FRACTIONS[toks[k + 2]] * unit, k + 3
            continue
        # "one hour twenty": a trailing bare number counts in the next smaller unit
        num = read_number(toks, k, fractions=False) if found and last_unit > 1 else None
        if num is not None and (num[1] == n or toks[num[1]] not in DURATION_UNITS):
            smaller = {604800: 86400, 86400: 3600, 3600: 60, 60: 1}[last_unit]
            total, j = total + num[0] * smaller, num[1]
        break
    return (total, j) if found else None


def _read_duration_part(toks: list[str], i: int) -> tuple[float, int, int] | None:
    """One "<number> <unit>" or "half an hour" / "a quarter of an hour" -> (seconds, unit, next)."""
    n = len(toks)
    frac = read_fraction(toks, i)
    if frac is not None:
        k = frac[1]
        if k < n and toks[k] == "of":
            k += 1
        if k < n and toks[k] in ("a", "an"):
            k += 1
        if k < n and toks[k] in DURATION_UNITS:
            unit = DURATION_UNITS[toks[k]]
            return frac[0] * unit, unit, k + 1
    if i < n and toks[i] in ("a", "an") and i + 1 < n and toks[i + 1] in DURATION_UNITS:
        unit = DURATION_UNITS[toks[i + 1]]
        return float(unit), unit, i + 2
    num = read_number(toks, i)
    if num is not None and num[1] < n and toks[num[1]] in DURATION_UNITS:
        unit = DURATION_UNITS[toks[num[1]]]
        return num[0] * unit, unit, num[1] + 1
    return None


def parse_duration(text: str, default_unit: int | None = None) -> Number | None:
    """The text as a duration in seconds ("ninety seconds" -> 90); filler words are allowed
    around it ("for five minutes please"). A bare number counts in ``default_unit`` seconds
    when one is given ("make it ten" after a minutes timer)."""
    toks = [t for t in tokenize(text) if t not in ("for", "about", "around", "please", "just")]
    i = 0
    while i < len(toks) and toks[i] in FILLER and toks[i] not in ("a", "an"):
        i += 1
    got = read_duration(toks, i)
    if got is None and default_unit:
        num = read_number(toks, i)
        if num is not None:
            got = (num[0] * default_unit, num[1])
    if got is None or any(t not in FILLER for t in toks[got[1]:]):
        return None
    return as_number(round(got[0], 3))
