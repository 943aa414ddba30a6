"""Timers: several at once, named, query / cancel / pause / resume / change, firing on time."""

from __future__ import annotations

from skills_helpers import Conversation


def test_two_named_timers_fire_in_order() -> None:
    c = Conversation()
    assert c.key("set a pasta timer for ten minutes", "timer_set", name="pasta timer",
                 duration="ten minutes") == "timer.set"
    c.say("set an egg timer for ninety seconds", "timer_set", name="egg timer",
          duration="ninety seconds")
    r = c.say("how long is left", "timer_query")
    assert r.data["key"] == "timer.list" and "pasta timer" in r.text and "egg timer" in r.text
    c.clock.advance(seconds=89)
    assert c.dm.due() == []
    c.clock.advance(seconds=1)
    fired = c.dm.due()
    assert len(fired) == 1 and "egg timer" in fired[0].text and "done" in fired[0].text
    assert fired[0].data["chime"] is True and fired[0].data["missed"] is False
    assert c.dm.due() == []  # fires once
    r = c.say("how long on the pasta timer", "timer_query", name="pasta")
    assert r.data["seconds"] == 510 and "8 minutes" in r.text


def test_query_single_and_none() -> None:
    c = Conversation()
    assert c.key("how long is left", "timer_query") == "timer.none"
    c.say("set a timer for an hour and a half", "timer_set", duration="an hour and a half")
    c.clock.advance(minutes=30)
    r = c.say("how much time is left", "timer_query")
    assert r.data["key"] == "timer.left" and r.data["seconds"] == 3600
    assert "1 hour" in r.text


def test_cancel_one_all_and_which() -> None:
    c = Conversation()
    c.say("pasta timer five minutes", "timer_set", name="pasta", duration="five minutes")
    c.say("rice timer twenty minutes", "timer_set", name="rice", duration="twenty minutes")
    r = c.say("cancel the timer", "timer_cancel")
    assert r.data["key"] == "timer.which" and r.expects_answer
    assert "pasta timer or the rice timer" in r.text or "pasta timer or rice timer" in r.text
    r = c.say("the rice one", "out_of_scope", 0.3)
    assert r.data["key"] == "timer.cancelled" and r.data["timer"] == "rice timer"
    c.say("egg timer three minutes", "timer_set", name="egg", duration="three minutes")
    assert c.key("cancel all timers", "timer_cancel") == "timer.cancelled_all"
    assert c.key("any timers?", "timer_query") == "timer.none"
    c.clock.advance(hours=1)
    assert c.dm.due() == []


def test_a_timer_meant_by_its_length_the_nlu_left_untagged() -> None:
    """ "cancel the 5 minute timer" with two timers running asked "which timer, the 5 minute
    timer or the 10 minute timer?" (the NLU had not tagged "5 minute" as its name)."""
    c = Conversation()
    c.say("set a timer for 5 minutes", "timer_set", duration="five minutes")
    c.say("set another timer for 10 minutes", "timer_set", duration="ten minutes")
    r = c.say("cancel the 5 minute timer", "timer_cancel", 0.99)
    assert r.data["key"] == "timer.cancelled" and r.data["timer"] == "5 minute timer"
    c.say("set a timer for ninety seconds", "timer_set", duration="ninety seconds")
    r = c.say("how long is left on the ten-minute one", "timer_query")
    assert r.data["key"] == "timer.left" and r.data["timer"] == "10 minute timer"
    assert c.key("cancel the 3 minute timer", "timer_cancel") == "timer.which"  # none that long


def test_how_long_on_a_timer_named_just_before() -> None:
    """ "how long on the pizza" after setting a pizza timer was out of scope to the NLU."""
    c = Conversation()
    c.say("set a 20 minute timer for the pizza", "timer_set", name="pizza", duration="twenty minutes")
    c.say("set a timer for five minutes", "timer_set", duration="five minutes")
    r = c.say("how long on the pizza", "out_of_scope", 0.96)
    assert r.data["key"] == "timer.left" and r.data["timer"] == "pizza timer"


def test_cancel_unknown_name() -> None:
    c = Conversation()
    c.say("pasta timer five minutes", "timer_set", name="pasta", duration="five minutes")
    r = c.say("cancel the cake timer", "timer_cancel", name="cake timer")
    assert r.data["key"] == "timer.not_found" and not r.ok and "cake" in r.text


def test_pause_and_resume_keep_the_time_left() -> None:
    c = Conversation()
    c.say("set a timer for five minutes", "timer_set", duration="five minutes")
    c.clock.advance(minutes=2)
    assert c.key("pause the timer", "timer_pause") == "timer.paused"
    assert c.key("pause the timer", "timer_pause") == "timer.already_paused"
    c.clock.advance(hours=2)
    assert c.dm.due() == []  # paused timers do not fire
    assert c.say("how long", "timer_query").data["key"] == "timer.paused_left"
    assert c.key("resume the timer", "timer_pause") == "timer.resumed"
    c.clock.advance(seconds=179)
    assert c.dm.due() == []
    c.clock.advance(seconds=1)
    assert len(c.dm.due()) == 1


def test_change_make_it_ten_uses_the_spoken_unit() -> None:
    c = Conversation()
    c.say("set a timer for five minutes", "timer_set", duration="five minutes")
    r = c.say("make it ten", "timer_change", duration="ten")
    assert r.data["key"] == "timer.changed" and r.data["seconds"] == 600
    c.clock.advance(seconds=599)
    assert c.dm.due() == []
    c.clock.advance(seconds=1)
    assert len(c.dm.due()) == 1


def test_add_time_extends() -> None:
    c = Conversation()
    c.say("set a timer for five minutes", "timer_set", duration="five minutes")
    c.clock.advance(minutes=4)
    r = c.say("add two more minutes", "timer_change", duration="two minutes")
    assert r.data["key"] == "timer.extended" and r.data["seconds"] == 180


def test_same_name_replaces_the_timer() -> None:
    c = Conversation()
    c.say("pasta timer five minutes", "timer_set", name="pasta", duration="five minutes")
    c.say("pasta timer eight minutes", "timer_set", name="pasta", duration="eight minutes")
    r = c.say("how long on the pasta", "timer_query", name="pasta")
    assert r.data["seconds"] == 480


def test_timer_without_duration_asks() -> None:
    c = Conversation()
    r = c.say("set a timer", "timer_set")
    assert r.data["key"] == "timer.ask_duration" and r.expects_answer


def test_cli_lists_timers(tmp_path, capsys) -> None:
    from assistant.cli import main

    c = Conversation(tmp_path / "h.db")
    assert main(["timers", "--db", str(tmp_path / "h.db")]) == 0
    assert capsys.readouterr().out.strip() == "no timers"
    from datetime import datetime

    c.clock.now = datetime.now()
    c.say("pasta timer ten minutes", "timer_set", name="pasta", duration="ten minutes")
    assert main(["timers", "--db", str(tmp_path / "h.db")]) == 0
    out = capsys.readouterr().out
    assert "pasta timer" in out and ("10:00 left" in out or "9:59 left" in out)


def test_a_new_timer_is_said_back_with_its_length_once() -> None:
    """"10 minute timer set for 10 minutes" said the length twice, whichever wording is picked."""
    for seed in range(4):
        c = Conversation(seed=seed)
        plain = c.say("set a timer for ten minutes", "timer_set", duration="ten minutes").text
        named = c.say("set a pasta timer for twelve minutes", "timer_set", name="pasta",
                      duration="twelve minutes").text
        assert "timer for 10 minutes" in plain and plain.count("10") == 1, plain
        assert "pasta timer for 12 minutes" in named and named.count("12") == 1, named


def test_cancel_all_timers_with_one_running_names_it() -> None:
    c = Conversation()
    c.say("set a timer for three minutes", "timer_set", duration="three minutes")
    r = c.say("cancel all timers", "timer_cancel")  # was "All 1 timer cancelled."
    assert r.data["key"] == "timer.cancelled" and "3 minute" in r.text
