"""Whole conversations through the DialogueManager with fake NLU output: slot filling,
confirmations, carry-over, "did you mean", stop / cancel / repeat."""

from __future__ import annotations

from skills_helpers import Conversation, understanding

from assistant.dialogue.clarify import yes_no


def test_slot_filling_with_a_bare_duration_the_nlu_mislabels() -> None:
    c = Conversation()
    r = c.say("set a timer", "timer_set")
    assert r.expects_answer and r.data["key"] == "timer.ask_duration"
    r = c.say("five minutes", "unit_convert", 0.8)  # the NLU guessed wrong, confidently
    assert r.data["key"] == "timer.set" and r.data["seconds"] == 300 and not r.expects_answer
    assert c.dm.context.pending is None


def test_restated_command_fills_the_slot() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    r = c.say("set a timer for two minutes", "timer_set", duration="two minutes")
    assert r.data["seconds"] == 120


def test_a_new_request_abandons_the_question() -> None:
    c = Conversation()
    c.say("remind me", "reminder_set")
    r = c.say("what time is it", "datetime_query", 0.9)
    assert r.data["key"] == "clock.time" and c.dm.context.pending is None


def test_a_confident_new_request_is_not_read_as_the_answer_by_its_slots() -> None:
    """After "which alarm?", "remind me at five pm to call the dentist" is a reminder (its
    time would have answered the question, and the reminder been lost)."""
    c = Conversation()
    c.say("set an alarm for six a m", "alarm_set", time="six a m")
    c.say("set an alarm for seven a m", "alarm_set", time="seven a m")
    assert c.key("turn off my alarm", "alarm_cancel") == "alarm.which"
    r = c.say("remind me at five pm to call the dentist", "reminder_set", task="call the dentist",
              time="five pm")
    assert r.data["key"] == "reminder.set" and c.dm.context.pending is None
    assert c.say("alarms?", "alarm_query").data["count"] == "2 alarms"
    c.say("turn off my alarm", "alarm_cancel")
    r = c.say("remind me in twenty minutes to take the pizza out", "reminder_set",
              task="take the pizza out", duration="twenty minutes")
    assert r.data["key"] == "reminder.set"
    c.say("turn off my alarm", "alarm_cancel")
    assert c.key("the six a m one", "out_of_scope", 0.3) == "alarm.cancelled"  # an answer still is


def test_a_day_said_for_what_time_is_kept_and_the_time_asked_again() -> None:
    """ "set an alarm" -> "What time?" -> "tomorrow" was read as "what day is tomorrow", and the
    alarm dropped; the day is kept, the time asked again (not as a misunderstood answer)."""
    c = Conversation()
    assert c.key("set an alarm", "alarm_set") == "alarm.ask_time"
    r = c.say("tomorrow", "datetime_query", 0.75, date="tomorrow")
    assert r.data["key"] == "alarm.ask_time" and r.expects_answer
    r = c.say("seven a m", "alarm_set", 0.6, time="seven a m")
    assert r.data["key"] == "alarm.set" and r.data["at"] == "2025-03-15T07:00:00"
    c.say("remind me to water the plants", "reminder_set", task="water the plants")
    assert c.key("on sunday", "out_of_scope", 0.4) == "reminder.ask_time"
    r = c.say("at nine", "reminder_set", 0.6, time="nine")
    assert r.data["key"] == "reminder.set" and r.data["at"] == "2025-03-16T09:00:00"


def test_unparseable_answer_is_asked_again_then_dropped() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    r = c.say("banana", "out_of_scope", 0.2)
    assert r.data["key"] == "dialogue.reask" and r.expects_answer and "?" in r.text
    r = c.say("purple", "out_of_scope", 0.2)
    assert r.data["key"] == "dialogue.not_understood" and not r.expects_answer
    assert c.dm.context.pending is None
    assert c.key("how long is left", "timer_query") == "timer.none"


def test_two_missing_slots_in_a_row() -> None:
    c = Conversation()
    assert c.key("remind me", "reminder_set") == "reminder.ask_task"
    assert c.key("to take the bins out", "general_question", 0.6) == "reminder.ask_time"
    r = c.say("at half past seven", "out_of_scope", 0.4)
    assert r.data["key"] == "reminder.set" and r.data["at"] == "2025-03-14T19:30:00"


def test_cancel_and_no_drop_the_question() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    assert c.key("never mind", "cancel") == "dialogue.kept"
    assert c.dm.context.pending is None
    c.say("set an alarm", "alarm_set")
    assert c.key("no", "negate") == "dialogue.kept"
    assert c.key("alarms?", "alarm_query") == "alarm.none"


def test_confirmation_then_an_unrelated_request_keeps_the_list() -> None:
    c = Conversation()
    c.say("add milk", "list_add", item="milk")
    assert c.say("clear the shopping list", "list_clear").expects_answer
    assert c.key("what time is it", "datetime_query") == "clock.time"
    assert c.say("read my list", "list_read").data["all"] == ["milk"]
    c.say("clear the shopping list", "list_clear")
    assert c.key("yeah go ahead", "out_of_scope", 0.3) == "list.cleared"  # yes by its words


def test_carry_over_and_eggs() -> None:
    c = Conversation()
    c.say("add milk to the to do list", "list_add", item="milk", list="to do list")
    r = c.say("and eggs", "out_of_scope", 0.4)
    assert r.intent == "list_add" and r.data["added"] == ["eggs"] and r.data["list"] == "to-do"
    r = c.say("also bread and butter", "list_add", 0.7, item="bread and butter")
    assert r.data["added"] == ["bread", "butter"]
    assert c.say("read the to do list", "list_read", list="to do list").data["all"] == \
        ["milk", "eggs", "bread", "butter"]


def test_carry_over_make_it_ten() -> None:
    c = Conversation()
    c.say("set a pasta timer for five minutes", "timer_set", name="pasta", duration="five minutes")
    c.say("set a rice timer for twenty minutes", "timer_set", name="rice",
          duration="twenty minutes")
    r = c.say("make it ten", "out_of_scope", 0.3)
    assert r.intent == "timer_change" and r.data["seconds"] == 600
    assert "rice" in r.text  # the timer just talked about
    assert c.say("how long on the pasta", "timer_query", name="pasta").data["seconds"] == 300


def test_carry_over_does_not_override_a_confident_intent() -> None:
    c = Conversation()
    c.say("add milk", "list_add", item="milk")
    r = c.say("and what time is it", "datetime_query", 0.9)
    assert r.data["key"] == "clock.time"


def test_low_confidence_asks_did_you_mean() -> None:
    c = Conversation(confirm_below=0.6)
    r = c.say("timer five minutes", "timer_set", 0.5, duration="five minutes")
    assert r.data["key"] == "dialogue.did_you_mean" and r.expects_answer
    assert "set a timer" in r.text
    r = c.say("yes", "affirm")
    assert r.data["key"] == "timer.set" and r.data["seconds"] == 300
    c.say("clear list", "list_clear", 0.3)
    assert c.key("no", "negate") == "dialogue.ok"
    c.say("joke", "joke", 0.3)
    assert c.key("what's the time", "datetime_query") == "clock.time"
    assert c.key("hello", "greeting", 0.59) == "chat.greeting"  # cheap intents never ask
    assert c.key("thing", "timer_query", 0.59) == "dialogue.did_you_mean"


def test_threshold_is_configurable() -> None:
    c = Conversation(confirm_below=0.3)
    assert c.key("timer five minutes", "timer_set", 0.4, duration="five minutes") == "timer.set"


def test_stop_says_nothing_and_drops_the_question() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    r = c.say("stop", "stop")
    assert r.text == "" and r.data["stop"] is True
    assert c.dm.context.pending is None


def test_repeat_returns_the_last_reply() -> None:
    c = Conversation()
    assert c.key("what did you say", "repeat") == "dialogue.nothing_to_repeat"
    first = c.say("what's twelve times seven", "math_calculate")
    again = c.say("what did you say", "repeat")
    assert again.text == first.text and "84" in again.text
    assert c.say("say that again", "repeat").text == first.text


def test_repeat_after_a_streamed_answer_says_what_was_spoken() -> None:
    c = Conversation(generate=lambda prompt: iter(["Forty two."]))
    r = c.say("meaning of life", "general_question")
    r.text = " ".join(r.stream)  # what the loop's speaker does as it consumes the stream
    assert c.say("pardon", "repeat").text == "Forty two."


def test_unknown_intent_is_not_a_crash() -> None:
    c = Conversation()
    r = c.say("frobnicate", "frobnicate", 0.99)
    assert r.data["key"] == "dialogue.not_understood" and not r.ok


def test_conversation_transcript() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    c.say("five minutes", "out_of_scope", 0.3)
    c.say("make it ten", "timer_change", duration="ten")
    c.clock.advance(minutes=10)
    c.transcript += [f"< {r.text}" for r in c.dm.due()]
    assert c.transcript[-1].endswith("Your 10 minute timer is done.")
    assert len(c.transcript) == 7


def test_yes_and_no_words() -> None:
    cases = {"yes": True, "yeah sure": True, "go ahead": True, "ok do it": True, "no": False,
             "nope": False, "don't": False, "please set a timer": None, "yes not now": None,
             "hmm": None, "": None}
    for text, expected in cases.items():
        assert yes_no(understanding(text, "out_of_scope", 0.2)) is expected, text
    assert yes_no(understanding("sounds good", "affirm")) is True


def test_an_unanswered_question_expires() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    c.clock.advance(minutes=20)
    r = c.say("five minutes", "unit_convert", 0.8)  # much later: not an answer any more
    assert r.data["key"] != "timer.set" and c.dm.context.pending is None


def test_a_prompt_answer_still_fills_the_slot() -> None:
    c = Conversation()
    c.say("set a timer", "timer_set")
    c.clock.advance(seconds=20)
    assert c.key("five minutes", "unit_convert", 0.8) == "timer.set"


def test_make_it_after_a_timer_beats_a_confident_sum() -> None:
    c = Conversation()
    c.say("set a pasta timer for twelve minutes", "timer_set", duration="twelve minutes",
          name="pasta")
    r = c.say("make it fifteen", "math_calculate", 0.91, expression="fifteen")
    assert r.data["key"].startswith("timer.") and r.data.get("seconds") == 900, r


def test_cancel_it_right_after_setting_something_takes_that_back() -> None:
    """ "cancel it" after "set a timer" read as "stop" (0.48) and the timer ran on; "cancel that"
    after an alarm was "never mind"."""
    c = Conversation()
    c.say("set a timer for ten minutes", "timer_set", duration="ten minutes")
    c.say("set a pasta timer for eight minutes", "timer_set", duration="eight minutes", name="pasta")
    r = c.say("cancel it", "stop", 0.48)
    assert r.data["key"] == "timer.cancelled" and "pasta" in r.text
    assert "10 minute" in c.say("what timers are running", "timer_query").text
    c.say("set an alarm for six", "alarm_set", time="six")
    c.say("set an alarm for seven", "alarm_set", time="seven")
    r = c.say("cancel that", "cancel", 0.99)
    assert r.data["key"] == "alarm.cancelled" and "7 PM" in r.text  # 2 PM now: the next seven
    c.say("remind me to call mom at six pm", "reminder_set", task="call mom", time="six pm")
    assert c.say("delete it", "out_of_scope", 0.7).data["key"] == "reminder.cancelled"
    # not a follow-up: a question was pending, or nothing was just set
    c.say("set a timer", "timer_set")
    assert c.say("cancel it", "cancel", 0.9).data["key"] == "dialogue.kept"
    assert c.say("stop", "stop").data["key"] == "stop"
    assert c.say("cancel it", "stop", 0.48).data["key"] == "stop"


def test_no_and_a_new_value_corrects_what_was_just_set() -> None:
    """ "set an alarm for six" ... "no, six pm" asked "did you want me to remove an alarm?"."""
    c = Conversation()  # 2 PM
    c.say("set an alarm for six", "alarm_set", time="six")
    r = c.say("no six am", "alarm_cancel", 0.54, time="six am")
    assert r.data["key"] == "alarm.set" and "6 AM" in r.text
    assert c.say("what alarms do i have", "alarm_query").data["count"] == "1 alarm"  # moved, not added
    c.say("set a timer for five minutes", "timer_set", duration="five minutes")
    assert c.say("no fifteen minutes", "volume_mute", 0.53).data.get("seconds") == 900
    c.say("set an alarm for seven", "alarm_set", time="seven")
    assert c.say("no thanks", "negate", 0.99).data["key"] == "chat.negate"


def test_a_bit_more_after_the_volume_moves_it_again() -> None:
    """ "turn it down" ... "a bit more" is read as "repeat" and said the same level again."""
    c = Conversation()
    assert c.say("turn the volume down", "volume_down").data["level"] == 60
    assert c.say("a bit more", "repeat", 0.98).data["level"] == 50
    r = c.say("repeat that", "repeat")
    assert r.data["level"] == 50 and "50" in r.text  # the reply to "a bit more", not to the one before
    assert c.say("louder", "volume_up").data["level"] == 60
    assert c.say("more", "repeat", 0.84).data["level"] == 70
