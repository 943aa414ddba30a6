"""Time, date and countdowns from the injected clock; volume persisted in the store."""

from __future__ import annotations

from datetime import datetime

import pytest
from skills_helpers import Conversation, FakeClock

from assistant.skills.render import say_clock, say_date, say_duration, say_list
from assistant.skills.volume import read_volume
from assistant.store import Store


def test_time_and_date() -> None:
    c = Conversation(clock=FakeClock(datetime(2025, 3, 14, 19, 5)))
    r = c.say("what time is it", "datetime_query")
    assert r.data["key"] == "clock.time" and "7:05 PM" in r.text
    r = c.say("what's the date", "datetime_query")
    assert r.data["key"] == "clock.date" and "Friday, March 14th" in r.text
    r = c.say("what day is it tomorrow", "datetime_query", date="tomorrow")
    assert r.text == "Tomorrow is Saturday, March 15th."
    r = c.say("what time is it in tokyo", "datetime_query", place="tokyo")
    assert r.data["key"] == "clock.time_here" and "7:05 PM" in r.text
    r = c.say("what day is christmas", "datetime_query", date="christmas")
    assert r.text == "Christmas is Thursday, December 25th."
    r = c.say("what's the date next friday", "datetime_query", date="next friday")
    assert r.text == "Next friday is March 21st."  # was "... is Friday, March 21st."


def test_a_date_in_another_year_is_named_as_asked() -> None:
    c = Conversation(clock=FakeClock(datetime(2026, 12, 8, 10, 0)))
    r = c.say("what day of the week is the fourth of july", "datetime_query", date="fourth of july")
    assert r.text == "Fourth of july is Sunday, July 4th, 2027."  # was "Sunday, July 4th, 2027 is Sunday, July 4th."
    r = c.say("what day is christmas this year", "datetime_query", date="this year")
    assert r.text == "Christmas this year is Friday, December 25th."  # was "This year is ..." today's date
    r = c.say("when is easter", "time_until", date="easter")
    assert r.data["days"] == 110 and "Sunday, March 28th, 2027" in r.text  # was "Until when?"


def test_questions_the_clock_cannot_answer_get_no_time() -> None:
    """ "what time is sunset" answered "The time is 2 PM."; "how many days in february" too."""
    c = Conversation()
    assert c.key("what time is sunset", "datetime_query") == "clock.no_sun"
    assert c.key("when is sunrise tomorrow", "time_until", date="tomorrow") == "clock.no_sun"
    assert c.say("how many days in february", "datetime_query", date="february").text == \
        "February 2026 has 28 days."  # this month is March 2025: the next February
    assert c.say("how many days are in april", "datetime_query", date="april").data["days"] == 30
    r = c.say("what's tomorrow's date", "datetime_query", date="tomorrow's")
    assert r.text == "Tomorrow is Saturday, March 15th."  # was today's date
    assert c.say("how many days until tomorrow", "time_until", date="tomorrow").text == "That's tomorrow!"
    r = c.say("what's the date on the twenty first", "datetime_query")  # was today's date
    assert r.text == "The twenty first is Friday, March 21st."


def test_the_year_the_month_and_the_time_later() -> None:
    """ "what year is it" answered the date without the year; "what time will it be in three
    hours" and "what's the date in three days" answered the time now."""
    c = Conversation()  # Friday 14 March 2025, 2 PM
    assert c.say("what year is it", "datetime_query").text == "It's 2025."
    assert c.say("what month is it", "datetime_query").text == "It's March."
    assert c.say("what time will it be in three hours", "datetime_query").text == \
        "In 3 hours it will be 5 PM."
    assert c.say("what's the date in three days", "datetime_query").text == \
        "In 3 days it will be Monday, March 17th."
    assert c.key("what's the date", "datetime_query") == "clock.date"
    r = c.say("how long until the weekend", "time_until", date="the weekend")  # was "Until when?"
    assert r.data["key"] == "clock.until_tomorrow"  # Saturday
    assert c.say("how many days until next week", "time_until", date="next week").data["days"] == 3


def test_time_until() -> None:
    c = Conversation()
    r = c.say("how many days until christmas", "time_until", date="christmas")
    assert r.data["days"] == 286 and "christmas" in r.text.lower()
    r = c.say("how long until six p m", "time_until", time="six p m")
    assert r.data["key"] == "clock.until_time" and "4 hours" in r.text
    assert c.key("how long until today", "time_until", date="today") == "clock.until_today"
    assert c.say("how long until", "time_until").data["key"] == "clock.ask_date"
    r = c.say("friday", "out_of_scope", 0.3)
    assert r.data["days"] == 7 and "7 days" in r.text


def test_volume_up_down_set_mute_persist(tmp_path) -> None:
    c = Conversation(tmp_path / "h.db")
    assert read_volume(c.store).level == 70
    assert c.say("louder", "volume_up").data["level"] == 80
    assert c.say("quieter", "volume_down").data["level"] == 70
    assert c.say("volume five", "volume_set", level="five").data["level"] == 50
    assert c.say("volume to eighty percent", "volume_set", level="eighty percent").data["level"] == 80
    assert c.key("mute", "volume_mute") == "volume.muted"
    assert read_volume(Store(tmp_path / "h.db")).gain == 0.0  # another connection sees it
    assert c.key("unmute", "volume_mute") == "volume.unmuted"
    assert read_volume(Store(tmp_path / "h.db")).gain == pytest.approx(0.8)
    c.say("volume max", "volume_set", level="max")
    assert c.key("louder", "volume_up") == "volume.at_max"
    r = c.say("set the volume", "volume_set")
    assert r.data["key"] == "volume.ask_level" and r.expects_answer
    assert c.say("three", "out_of_scope", 0.2).data["level"] == 30


def test_read_volume_on_a_fresh_db() -> None:
    assert read_volume(Store(":memory:")).level == 70


@pytest.mark.parametrize("seconds,text", [(0, "0 seconds"), (1, "1 second"), (90, "1 minute and 30 seconds"),
                                          (3600, "1 hour"), (5400, "1 hour and 30 minutes"),
                                          (3723, "1 hour, 2 minutes and 3 seconds")])
def test_say_duration(seconds: int, text: str) -> None:
    assert say_duration(seconds) == text


def test_say_helpers() -> None:
    assert say_clock(datetime(2025, 1, 1, 0, 0)) == "midnight"
    assert say_clock(datetime(2025, 1, 1, 12, 0)) == "noon"
    assert say_clock(datetime(2025, 1, 1, 7, 5)) == "7:05 AM"
    assert say_date(datetime(2025, 3, 22).date()) == "Saturday, March 22nd"
    assert say_list(["a", "b", "c"], "or") == "a, b or c"
