"""Times of day and moments: "half past seven", "quarter to eight", "six thirty p m", "noon",
"tomorrow at six a m", "in twenty minutes"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from assistant.values.date import PART_OF_DAY_HOURS, read_date
from assistant.values.duration import read_duration
from assistant.values.number import FILLER, UNITS, read_cardinal, tokenize

# words that say morning or afternoon when no "a m" / "p m" is given
MERIDIEM_HINTS = {"morning": "am", "am": "am", "afternoon": "pm", "evening": "pm",
                  "tonight": "pm", "night": "pm", "pm": "pm"}

Clock = tuple[int, int, str | None]  # hour, minute, "am" / "pm" / None


def _read_hour(toks: list[str], i: int) -> tuple[int, int] | None:
    """An hour 0..24 as one number word or digits; "twenty three", "noon", "midnight" too."""
    if i < len(toks) and toks[i] in ("noon", "midday", "midnight"):
        return (0 if toks[i] == "midnight" else 12), i + 1
    got = read_cardinal(toks, i) if i < len(toks) else None
    if got is None or not float(got[0]).is_integer() or not 0 <= got[0] <= 24:
        return None
    return int(got[0]), got[1]


def _read_minutes(toks: list[str], i: int) -> tuple[int, int] | None:
    """Minutes after an hour: "thirty", "forty five", "oh five", "05"."""
    n = len(toks)
    if i < n and toks[i] in ("oh", "o") and i + 1 < n and toks[i + 1] in UNITS:
        return UNITS[toks[i + 1]], i + 2
    if i < n and re.fullmatch(r"\d\d", toks[i]):
        m = int(toks[i])
        return (m, i + 1) if m < 60 else None
    got = read_cardinal(toks, i) if i < n and not toks[i].isdigit() else None
    if got and 10 <= got[0] < 60 and float(got[0]).is_integer():
        return int(got[0]), got[1]
    return None


def read_clock(toks: list[str], i: int) -> tuple[Clock, int] | None:
    """A time of day at ``toks[i]``: "half past seven", "quarter to eight", "ten past six",
    "seven thirty p m", "6:30", "seven o'clock", "noon", "midnight" -> ((h, m, meridiem), next)."""
    n = len(toks)
    if i >= n:
        return None
    t = toks[i]
    if t in ("noon", "midday"):
        return (12, 0, "pm"), i + 1
    if t == "midnight":
        return (0, 0, "am"), i + 1
    m = re.fullmatch(r"(\d{1,2}):(\d\d)", t)
    if m and int(m.group(1)) <= 24 and int(m.group(2)) < 60:
        return _with_meridiem(toks, i + 1, int(m.group(1)), int(m.group(2)))
    # "<minutes> past/to <hour>"
    offset = None
    offset, j = None, i
    if t == "half" and i + 1 < n and toks[i + 1] in ("past", "after"):
        offset, j = 30, i + 1
    elif t == "quarter":
        offset, j = 15, i + 1
    elif toks[i:i + 2] == ["a", "quarter"]:
        offset, j = 15, i + 2
    else:
        num = read_cardinal(toks, i)
        if num and 0 < num[0] < 60 and num[1] < n:
            j = num[1] + (toks[num[1]] in ("minutes", "minute", "mins"))
            if j < n and toks[j] in ("past", "after", "to", "before", "til", "till"):
                offset = int(num[0])
    if offset is not None and j < n and toks[j] in ("past", "after", "to", "before", "til", "till"):
        hour = _read_hour(toks, j + 1)
        if hour:
            h, k = hour
            if toks[j] in ("past", "after"):
                return _with_meridiem(toks, k, h, offset)
            return _with_meridiem(toks, k, (h - 1) % 24 if h != 0 else 23, 60 - offset,
                                  roll_from=h)
    # "<hour> [oclock | <minutes>] [am|pm]"
    hour = _read_hour(toks, i)
    if hour is None:
        return None
    h, k = hour
    if k < n and toks[k] == "oclock":
        return _with_meridiem(toks, k + 1, h, 0)
    minutes = _read_minutes(toks, k)
    if minutes:
        return _with_meridiem(toks, minutes[1], h, minutes[0])
    return _with_meridiem(toks, k, h, 0)


def _with_meridiem(toks: list[str], k: int, h: int, minute: int,
                   roll_from: int | None = None) -> tuple[Clock, int] | None:
    """Attach a following "am"/"pm"/"in the morning"; "quarter to one pm" rolls back from 1 pm."""
    if h > 24:
        return None
    mer = None
    if k < len(toks) and toks[k] in ("am", "pm"):
        mer, k = toks[k], k + 1
    elif toks[k:k + 3] in (["in", "the", "morning"], ["in", "the", "afternoon"],
                           ["in", "the", "evening"]) or toks[k:k + 2] == ["at", "night"]:
        mer = MERIDIEM_HINTS[toks[k + 2] if toks[k] == "in" else "night"]
        k += 3 if toks[k] == "in" else 2
    if mer and roll_from is not None:
        # "quarter to one pm" = 12:45 pm; "quarter to twelve pm" = 11:45 am
        base = apply_meridiem(roll_from, mer)
        return ((base - 1) % 24, minute, "24h"), k
    if mer and h > 12:
        return None
    return (h, minute, mer), k


def apply_meridiem(h: int, mer: str | None) -> int:
    """12-hour clock + "am"/"pm" -> 0..23 (None leaves the hour as spoken)."""
    if mer == "pm" and h < 12:
        return h + 12
    if mer == "am" and h == 12:
        return 0
    return h % 24


def is_at(clock: Clock, hour: int, minute: int) -> bool:
    """Whether hour:minute (0..23) is the time of day said; "seven" is 7 AM and 7 PM when no
    am/pm was said."""
    h, m, mer = clock
    wanted = h if mer == "24h" else apply_meridiem(h, mer)
    return minute == m and (hour == wanted or (mer is None and hour % 12 == h % 12))


def repeating_hour(at: datetime, said: str, part: int | None = None) -> int:
    """The hour of a time of day that repeats ("every weekday at seven"): with no am/pm it is
    the morning's, unless ``part``, the hour of a part of the day said with it, is after noon
    ("every evening at eight": 8 PM); ``at`` is the time as the slot parser resolved it (the
    next "seven", which may be 7 PM)."""
    clock = parse_clock(said)
    if clock is None or clock[2] == "24h":
        return at.hour
    h, _, mer = clock
    return apply_meridiem(h, mer or ("pm" if part is not None and part >= 12 else None))


# words around a time of day in answers like "the nine o'clock one"
CLOCK_FILLER = {"at", "around", "about", "by", "the", "for", "my", "alarm", "one", "set"}


def part_of_day(text: str) -> int | None:
    """The hour of the part of the day ``text`` names when it says no time of day ("tomorrow
    morning" -> 9, "tonight" -> 20; ``date.PART_OF_DAY_HOURS``), else None."""
    toks = tokenize(text)
    if any(read_clock(toks, i) for i in range(len(toks))):
        return None
    hours = [PART_OF_DAY_HOURS[t] for t in toks if t in PART_OF_DAY_HOURS]
    return hours[-1] if hours else None


def parse_clock(text: str) -> Clock | None:
    """The whole text as a time of day; (hour, minute, "am"/"pm"/"24h"/None)."""
    toks = [t for t in tokenize(text) if t not in CLOCK_FILLER]
    got = read_clock(toks, 0) if toks else None
    return got[0] if got and got[1] == len(toks) else None


def parse_time(text: str, now: datetime | None = None) -> datetime | None:
    """The text as a moment relative to ``now``: "in twenty minutes", "tomorrow at six a m",
    "half past seven", "on friday at nine", "tonight at nine", "noon". A time of day with no
    day and no am/pm is the next time it comes round; a bare length of time ("eight hours", as
    in "wake me up in | eight hours" with the "in" left out of the slot) is that long from now."""
    now = (now or datetime.now()).replace(microsecond=0)
    toks = tokenize(text)
    if not toks:
        return None
    # relative: "in twenty minutes", "twenty minutes from now", "eight hours"
    got = read_duration(toks, 1 if toks[0] in ("in", "after") else 0)
    if got and got[1] == len(toks):
        return now + timedelta(seconds=got[0])
    if toks[-2:] == ["from", "now"]:
        got = read_duration(toks, 0)
        if got and got[1] == len(toks) - 2:
            return now + timedelta(seconds=got[0])
    day: date | None = None
    hint: str | None = None
    clock: Clock | None = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in MERIDIEM_HINTS and t not in ("am", "pm"):
            hint = MERIDIEM_HINTS[t]
        if day is None and (got_day := read_date(toks, i, now.date())):
            day, i = got_day
            continue
        if clock is None and (got_clock := read_clock(toks, i)):
            clock, i = got_clock
            continue
        if t not in FILLER and t not in MERIDIEM_HINTS and t not in ("next", "tonight", "oclock") \
                and not (clock is not None and t in CLOCK_FILLER):
            return None
        i += 1
    if clock is None:
        return None
    h, minute, mer = clock
    hour = h if mer == "24h" else apply_meridiem(h, mer or hint)
    if day is not None:
        return datetime.combine(day, datetime.min.time()).replace(hour=hour % 24, minute=minute)
    candidates = [hour]
    if mer is None and hint is None and 1 <= h <= 11:
        candidates.append(h + 12)
    if h == 24:
        candidates = [0]
    for offset in (0, 1):
        for c in candidates:
            at = datetime.combine(now.date() + timedelta(days=offset), datetime.min.time())
            at = at.replace(hour=c, minute=minute)
            if at > now:
                return at
    return None  # unreachable: tomorrow is always later
