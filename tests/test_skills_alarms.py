"""Alarms and reminders: set, list, cancel, with times relative to the injected clock."""

from __future__ import annotations

from skills_helpers import Conversation


def test_alarm_set_query_cancel() -> None:
    c = Conversation()  # Friday 2 pm
    r = c.say("set an alarm for half past six tomorrow morning", "alarm_set",
              time="half past six tomorrow morning")
    assert r.data["key"] == "alarm.set" and "6:30 AM tomorrow" in r.text
    c.say("set an alarm for nine on weekends", "alarm_set", time="nine a m",
          recurrence="on weekends")
    r = c.say("what alarms do I have", "alarm_query")
    assert r.data["key"] == "alarm.list" and r.data["count"] == "2 alarms"
    assert "6:30 AM tomorrow" in r.text and "9 AM on weekends" in r.text
    r = c.say("cancel my alarm", "alarm_cancel")
    assert r.data["key"] == "alarm.which" and r.expects_answer
    r = c.say("the nine o'clock one", "out_of_scope", 0.2)
    assert r.data["key"] == "alarm.cancelled" and "9 AM" in r.text
    assert c.key("cancel the alarm at six thirty", "alarm_cancel", time="six thirty") == \
        "alarm.cancelled"
    assert c.key("what alarms", "alarm_query") == "alarm.none"


def test_cancel_all_alarms_needs_a_yes() -> None:
    c = Conversation()
    c.say("alarm at seven a m", "alarm_set", time="seven a m")
    c.say("alarm at eight a m", "alarm_set", time="eight a m")
    r = c.say("delete all alarms", "alarm_cancel")
    assert r.data["key"] == "alarm.confirm_cancel_all" and r.expects_answer
    assert c.key("no", "negate") == "dialogue.kept"
    assert c.say("alarms?", "alarm_query").data["count"] == "2 alarms"
    c.say("delete all alarms", "alarm_cancel")
    assert c.key("yes", "affirm") == "alarm.cancelled_all"
    assert c.key("alarms?", "alarm_query") == "alarm.none"


def test_alarm_questions_and_refusals() -> None:
    c = Conversation()
    assert c.say("set an alarm", "alarm_set").data["key"] == "alarm.ask_time"
    r = c.say("six a m", "out_of_scope", 0.3)
    assert r.data["key"] == "alarm.set" and "6 AM tomorrow" in r.text
    assert c.key("set an alarm for six a m", "alarm_set", time="tomorrow at six a m") == \
        "alarm.exists"
    assert c.key("set an alarm for yesterday at six", "alarm_set",
                 time="yesterday at six") == "alarm.past"


def test_alarm_on_a_day_and_time_given_separately() -> None:
    c = Conversation()
    r = c.say("set an alarm for seven a m on monday", "alarm_set", time="seven a m",
              date="monday")
    assert r.data["at"] == "2025-03-17T07:00:00"


def test_reminder_asks_for_what_and_when() -> None:
    c = Conversation()
    r = c.say("remind me", "reminder_set")
    assert r.data["key"] == "reminder.ask_task" and r.expects_answer
    r = c.say("to water the plants", "out_of_scope", 0.3)
    assert r.data["key"] == "reminder.ask_time" and r.data["task"] == "water the plants"
    r = c.say("in twenty minutes", "out_of_scope", 0.3)
    assert r.data["key"] == "reminder.set" and r.data["at"] == "2025-03-14T14:20:00"
    c.say("remind me to call my mum tomorrow at six p m", "reminder_set",
          task="call my mum", time="tomorrow at six p m")
    r = c.say("what are my reminders", "reminder_query")
    assert r.data["key"] == "reminder.list" and r.data["count"] == "2 reminders"
    assert "water the plants at 2:20 PM today" in r.text and "call your mum" in r.text


def test_reminder_with_a_duration_slot() -> None:
    c = Conversation()
    r = c.say("remind me in an hour to check the oven", "reminder_set",
              task="check the oven", duration="an hour")
    assert r.data["at"] == "2025-03-14T15:00:00"
    c.clock.advance(minutes=59)
    assert c.dm.due() == []
    c.clock.advance(minutes=1)
    assert "check the oven" in c.dm.due()[0].text


def test_time_and_day_in_separate_slots_read_together() -> None:
    c = Conversation()  # Friday 2 pm: "half past six" alone would be this evening
    r = c.say("wake me up at half past six tomorrow", "alarm_set", time="half past six",
              date="tomorrow")
    assert r.data["at"] == "2025-03-15T06:30:00"
    r = c.say("remind me to pay rent on monday at nine", "reminder_set", task="pay rent",
              time="nine", date="monday")
    assert r.data["at"] == "2025-03-17T09:00:00"


def test_waking_up_at_a_bare_hour_is_the_morning() -> None:
    """At two in the afternoon "wake me up at six" is 6 AM tomorrow, not 6 PM today; an hour
    said with am/pm, an hour of an afternoon nap and an alarm not about waking keep the next
    time that hour comes round."""
    c = Conversation()  # Friday 2 pm
    r = c.say("wake me up at six", "alarm_set", time="six")
    assert "6 AM tomorrow" in r.text
    r = c.say("wake me up at seven thirty", "alarm_set", time="seven thirty")
    assert "7:30 AM tomorrow" in r.text
    assert "8 PM" in c.say("wake me up at eight p m", "alarm_set", time="eight p m").text
    assert "3 PM" in c.say("wake me up at three", "alarm_set", time="three").text
    assert "6 PM" in c.say("set an alarm for six", "alarm_set", time="six").text


def test_a_part_of_the_day_said_without_a_time_is_its_hour() -> None:
    """"remind me tomorrow morning to ..." is at nine tomorrow, and says so; a day alone is
    asked about, and so is an alarm (when to wake is the sleeper's to say)."""
    c = Conversation()  # Friday 2 pm
    r = c.say("remind me tomorrow morning to take the bins out", "reminder_set",
              task="take the bins out", date="tomorrow morning")
    assert r.data["key"] == "reminder.set" and r.data["at"] == "2025-03-15T09:00:00"
    assert "9 AM tomorrow" in r.text
    r = c.say("remind me tonight to lock the door", "reminder_set", task="lock the door",
              date="tonight")
    assert r.data["at"] == "2025-03-14T20:00:00"
    r = c.say("remind me on monday in the afternoon to pay rent", "reminder_set",
              task="pay rent", date="monday", time="in the afternoon")
    assert r.data["at"] == "2025-03-17T15:00:00"
    assert c.key("remind me tomorrow to call the bank", "reminder_set", task="call the bank",
                 date="tomorrow") == "reminder.ask_time"
    assert c.key("wake me up tomorrow morning", "alarm_set",
                 date="tomorrow morning") == "alarm.ask_time"


def test_make_it_right_after_an_alarm_moves_that_alarm() -> None:
    """ "wake me up at seven tomorrow" ... "actually make it six thirty" was a sum ("I didn't
    catch the sum."); it moves the alarm just set, and only that one."""
    c = Conversation()  # Friday 2 pm
    c.say("set an alarm for nine p m", "alarm_set", time="nine p m")
    c.say("wake me up at seven tomorrow", "alarm_set", time="seven", date="tomorrow")
    r = c.say("actually make it six thirty", "math_calculate", 0.64)
    assert r.data["key"] == "alarm.set" and r.data["at"] == "2025-03-15T06:30:00"
    assert c.say("what alarms do i have", "alarm_query").data["count"] == "2 alarms"
    assert "7 AM" not in c.say("what alarms do i have", "alarm_query").text
    c.say("what time is it", "datetime_query")
    assert c.key("make it six", "math_calculate", 0.64) != "alarm.set"  # not after other turns


def test_a_part_of_the_day_already_past_is_asked_about() -> None:
    """ "remind me to take out the trash tonight" at 8:46 PM answered "8 PM today has already
    passed."; the time is asked for, and an hour said then is tonight's."""
    c = Conversation()
    c.clock.advance(hours=6, minutes=46)  # Friday 8:46 PM
    r = c.say("remind me to take out the trash tonight", "reminder_set",
              task="take out the trash", date="tonight")
    assert r.data["key"] == "reminder.ask_time" and r.expects_answer
    r = c.say("at ten", "reminder_set", 0.6, time="ten")
    assert r.data["key"] == "reminder.set" and r.data["at"] == "2025-03-14T22:00:00"


def test_an_alarm_in_a_length_of_time_said_without_in() -> None:
    c = Conversation()  # the slot holds "eight hours": "in" fell outside it
    r = c.say("wake me up in eight hours", "alarm_set", time="eight hours")
    assert r.data["key"] == "alarm.set" and r.data["at"] == "2025-03-14T22:00:00"


def test_snooze_rings_the_alarm_again_in_nine_minutes() -> None:
    c = Conversation()  # Friday 2 pm
    assert c.key("snooze", "alarm_cancel", 0.7) == "alarm.nothing_to_snooze"
    c.say("set an alarm for five past two", "alarm_set", time="five past two")
    c.clock.advance(minutes=5)
    assert len(c.dm.due()) == 1  # the alarm rings
    r = c.say("snooze", "alarm_cancel", 0.7)  # the NLU reads it as cancelling
    assert r.data["key"] == "alarm.snoozed" and r.data["at"] == "2025-03-14T14:14:00"
    assert "9 minutes" in r.text
    c.clock.advance(minutes=8)
    assert c.dm.due() == []
    c.clock.advance(minutes=1)
    assert c.dm.due()  # rings again
    c.clock.advance(minutes=31)
    assert c.key("snooze the alarm", "alarm_cancel", 0.7) == "alarm.nothing_to_snooze"


def _three_reminders(c: Conversation) -> None:
    c.say("remind me to call my mum at six p m", "reminder_set", task="call my mum", time="six p m")
    c.say("remind me to pay rent tomorrow at nine", "reminder_set", task="pay rent",
          time="nine", date="tomorrow")
    c.say("remind me to water the plants at five", "reminder_set", task="water the plants",
          time="five")


def test_a_reminder_is_cancelled_by_its_task_its_time_or_its_day() -> None:
    """Reminders could be set and listed but not taken back ("cancel my reminder" was out of
    scope): the one meant is found by the task's words, the time or the day said."""
    c = Conversation()  # Friday 2 pm
    _three_reminders(c)
    r = c.say("cancel my reminder to call mum", "reminder_cancel", task="call mum")
    assert r.data["key"] == "reminder.cancelled" and "call your mum at 6 PM today" in r.text
    r = c.say("delete the reminder for tomorrow", "reminder_cancel", date="tomorrow")
    assert r.data["key"] == "reminder.cancelled" and "pay rent" in r.text
    assert c.key("cancel my reminder to feed the cat", "reminder_cancel",
                 task="feed the cat") == "reminder.not_found"
    r = c.say("remove the five o'clock reminder", "reminder_cancel", time="five o'clock")
    assert r.data["key"] == "reminder.cancelled" and "water the plants at 5 PM today" in r.text
    assert c.key("cancel my reminder", "reminder_cancel") == "reminder.none"


def test_which_reminder_is_asked_and_all_of_them_need_a_yes() -> None:
    c = Conversation()
    _three_reminders(c)
    r = c.say("cancel my reminder", "reminder_cancel")
    assert r.data["key"] == "reminder.which" and r.expects_answer
    assert "call your mum" in r.text and "pay rent" in r.text and " or " in r.text
    r = c.say("the one about the plants", "out_of_scope", 0.2)
    assert r.data["key"] == "reminder.cancelled" and "water the plants" in r.text
    c.say("cancel my reminder", "reminder_cancel")
    r = c.say("the six pm one", "out_of_scope", 0.2)  # answered by its time
    assert r.data["key"] == "reminder.cancelled" and "call your mum" in r.text
    c.say("remind me to call my mum at six p m", "reminder_set", task="call my mum", time="six p m")
    r = c.say("delete all my reminders", "reminder_cancel")
    assert r.data["key"] == "reminder.confirm_cancel_all" and r.data["count"] == "2 reminders"
    assert c.key("no", "negate") == "dialogue.kept"
    assert c.say("what are my reminders", "reminder_query").data["count"] == "2 reminders"
    c.say("delete all my reminders", "reminder_cancel")
    assert c.key("yes", "affirm") == "reminder.cancelled_all"
    assert c.key("what are my reminders", "reminder_query") == "reminder.none"


def test_that_reminder_is_the_one_just_set() -> None:
    c = Conversation()
    _three_reminders(c)
    r = c.say("actually cancel that reminder", "reminder_cancel")
    assert r.data["key"] == "reminder.cancelled" and "water the plants" in r.text
    assert c.say("what are my reminders", "reminder_query").data["count"] == "2 reminders"


def test_reminders_of_a_day_and_a_day_said_inside_the_task() -> None:
    """ "do i have any reminders tomorrow" listed every reminder; "remind me about the dentist
    on friday at three pm" was set for 3 PM today, with "on friday" left in the task."""
    c = Conversation()  # Friday 14 March 2025, 2 PM
    r = c.say("remind me about the dentist on monday at three pm", "reminder_set",
              task="the dentist on monday", time="three pm")
    assert r.data["at"] == "2025-03-17T15:00:00" and r.data["task"] == "the dentist"
    assert "about the dentist" in r.text
    c.say("remind me every day at eight to take my pills", "reminder_set", task="take my pills",
          time="eight", recurrence="every day")
    r = c.say("do i have any reminders on monday", "reminder_query", date="on monday")
    assert "the dentist" in r.text and "pills" in r.text
    r = c.say("do i have any reminders tomorrow", "reminder_query", date="tomorrow")
    assert "pills" in r.text and "dentist" not in r.text
    c.say("cancel my reminder to take my pills", "reminder_cancel", task="take my pills")
    assert c.say("do i have any reminders tomorrow", "reminder_query", date="tomorrow").text == \
        "You don't have any reminders tomorrow."


def test_an_alarm_is_cancelled_by_its_days() -> None:
    """ "cancel my weekday alarm" and "cancel the saturday alarm" asked which alarm."""
    c = Conversation()  # Friday 14 March 2025
    c.say("set an alarm for seven am every weekday", "alarm_set", time="seven am", recurrence="every weekday")
    c.say("set an alarm for nine on saturday", "alarm_set", time="nine", date="on saturday")
    c.say("set an alarm for eight on sunday", "alarm_set", time="eight", date="on sunday")
    r = c.say("cancel my weekday alarm", "alarm_cancel", time="weekday")
    assert r.data["key"] == "alarm.cancelled" and "weekdays" in r.text
    r = c.say("cancel the saturday alarm", "alarm_cancel")
    assert r.data["key"] == "alarm.cancelled" and "9 AM" in r.text  # Saturday is tomorrow
    assert c.say("what alarms do i have", "alarm_query").data["count"] == "1 alarm"
    assert c.key("cancel the monday alarm", "alarm_cancel") == "alarm.not_found"


def test_which_alarm_is_answered_by_its_day() -> None:
    """ "which alarm?" ... "the saturday one" was "I can't find an alarm at that time."."""
    c = Conversation()  # Friday 14 March 2025
    c.say("set an alarm for seven am every weekday", "alarm_set", time="seven am", recurrence="every weekday")
    c.say("set an alarm for nine on sunday", "alarm_set", time="nine", date="on sunday")
    c.say("set an alarm for eight on saturday", "alarm_set", time="eight", date="on saturday")
    assert c.key("cancel my alarm", "alarm_cancel") == "alarm.which"
    r = c.say("the sunday one", "out_of_scope", 0.67)
    assert r.data["key"] == "alarm.cancelled" and "9 AM" in r.text
    assert c.key("cancel my alarm", "alarm_cancel") == "alarm.which"
    r = c.say("cancel the weekday alarm", "alarm_cancel", 0.99)  # a whole command as the answer
    assert r.data["key"] == "alarm.cancelled" and "weekdays" in r.text
