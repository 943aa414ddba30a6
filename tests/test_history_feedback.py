"""Feedback derivation: what the next turn says about the previous one."""

from __future__ import annotations

from assistant.history import feedback as fb
from assistant.history.feedback import TurnView, derive, reaction_kind


def view(i: int, ts: float, text: str, intent: str, conf: float = 0.9, ok: bool = True,
         **kw: object) -> TurnView:
    return TurnView(id=i, ts=ts, text=text, intent=intent, confidence=conf, ok=ok, **kw)


def kinds(out: list[fb.Feedback]) -> list[tuple[int, str]]:
    return [(f.turn_id, f.kind) for f in out]


def test_reaction_words() -> None:
    assert reaction_kind("No.") == fb.NEGATED
    assert reaction_kind("that's wrong") == fb.NEGATED
    assert reaction_kind("no, I meant the kitchen") == fb.CORRECTED
    assert reaction_kind("I said the kitchen") == fb.CORRECTED
    assert reaction_kind("stop") == fb.STOPPED
    assert reaction_kind("never mind") == fb.CANCELLED
    assert reaction_kind("thank you") == fb.THANKED
    assert reaction_kind("turn off the lights") is None
    assert reaction_kind("north wales weather") is None  # "no" only as a whole word
    assert fb.correction_text("No, I meant the kitchen!") == "the kitchen"


def test_no_then_rephrase_labels_the_original() -> None:
    a = view(1, 100, "lights out in the den", "lights_on")
    no = view(2, 104, "no", "negate")
    out = derive(no, [], [a])
    assert kinds(out) == [(1, fb.NEGATED)]
    r = view(3, 109, "turn off the lights in the living room", "lights_off")
    out = derive(r, [{"name": "place", "text": "living room"}], [no, a])
    assert kinds(out) == [(1, fb.REPHRASED)]
    assert out[0].detail["intent"] == "lights_off"


def test_failed_turn_then_similar_retry_is_a_rephrase_unrelated_is_not() -> None:
    a = view(1, 100, "kill the timer", "out_of_scope", conf=0.3, ok=False)
    retry = view(2, 106, "cancel the timer", "timer_cancel")
    assert kinds(derive(retry, [], [a])) == [(1, fb.REPHRASED)]
    other = view(2, 106, "what time is it", "datetime_query")
    assert derive(other, [], [a]) == []


def test_successful_turn_followed_by_new_request_gets_nothing() -> None:
    a = view(1, 100, "set a timer for ten minutes", "timer_set")
    b = view(2, 105, "set a timer for five minutes", "timer_set")
    assert derive(b, [], [a]) == []  # similar text, but nothing went wrong


def test_repeat_after_failure() -> None:
    a = view(1, 100, "what's on the list", "out_of_scope", conf=0.2, ok=False)
    b = view(2, 104, "what's on the list", "list_read", conf=0.6)
    assert kinds(derive(b, [], [a])) == [(1, fb.REPEATED)]


def test_outside_the_window_nothing_is_derived() -> None:
    a = view(1, 100, "lights out in the den", "lights_on")
    no = view(2, 100 + fb.FOLLOW_WINDOW_S + 1, "no", "negate")
    assert derive(no, [], [a]) == []


def test_explicit_correction_carries_what_was_meant() -> None:
    a = view(1, 100, "lights out in the den", "lights_off")
    c = view(2, 103, "no, I meant the living room", "negate")
    out = derive(c, [], [a])
    assert kinds(out) == [(1, fb.CORRECTED)]
    assert out[0].detail == {"text": "the living room"}
    c2 = view(2, 103, "no I meant turn off the lights in the living room", "lights_off")
    out = derive(c2, [{"name": "place"}], [a])
    assert out[0].detail["intent"] == "lights_off" and out[0].detail["slots"] == [{"name": "place"}]


def test_stop_cancel_and_barge_in() -> None:
    a = view(1, 100, "tell me a joke", "joke", speech_start=10.0, done=16.0)
    stop = view(2, 103, "stop", "stop", speech_start=12.0)
    assert sorted(kinds(derive(stop, [], [a]))) == [(1, fb.BARGED_IN), (1, fb.STOPPED)]
    cancel = view(2, 103, "never mind", "cancel", speech_start=20.0)
    assert kinds(derive(cancel, [], [a])) == [(1, fb.CANCELLED)]
    flagged = view(1, 100, "tell me a joke", "joke", barged_in=True)
    assert kinds(derive(view(2, 101, "what time is it", "datetime_query"), [], [flagged])) == [
        (1, fb.BARGED_IN)]


def test_thanks_is_positive_and_only_for_the_last_turn() -> None:
    a = view(1, 100, "what time is it", "datetime_query")
    out = derive(view(2, 103, "thanks", "thanks"), [], [a])
    assert kinds(out) == [(1, fb.THANKED)]
    assert fb.THANKED not in fb.NEGATIVE_KINDS


def test_stop_then_similar_request_is_a_rephrase() -> None:
    a = view(1, 100, "lights out in the den", "lights_on")
    stop = view(2, 103, "stop", "stop")
    r = view(3, 107, "turn off the lights in the living room", "lights_off")
    assert kinds(derive(r, [], [stop, a])) == [(1, fb.REPHRASED)]
    other = view(3, 107, "what time is it", "datetime_query")
    assert derive(other, [], [stop, a]) == []


def test_answer_to_a_slot_question() -> None:
    a = view(1, 100, "add gran's tablets to the list", "list_add", asked="item")
    ans = view(2, 104, "gran's tablets", "out_of_scope", conf=0.4)
    out = derive(ans, [], [a])
    assert kinds(out) == [(1, fb.ANSWERED)]
    assert out[0].detail == {"slot": "item", "text": "gran's tablets"}
    # "never mind" to the question is a cancellation, not an answer
    assert kinds(derive(view(2, 104, "never mind", "cancel"), [], [a])) == [(1, fb.CANCELLED)]


def test_yes_to_did_you_mean_confirms_the_understanding() -> None:
    asked = view(1, 100, "kill the timer", "timer_cancel", conf=0.4, asked=fb.YES_OR_NO)
    assert kinds(derive(view(2, 103, "yes", "affirm"), [], [asked])) == [(1, fb.CONFIRMED)]
    # the words say yes even when the model read them as something else
    assert kinds(derive(view(2, 103, "yeah go ahead", "out_of_scope", conf=0.3), [],
                        [asked])) == [(1, fb.CONFIRMED)]
    # said over the question: an answer, not a complaint
    over = view(1, 100, "kill the timer", "timer_cancel", conf=0.4, asked=fb.YES_OR_NO,
                barged_in=True)
    assert kinds(derive(view(2, 101, "yes", "affirm"), [], [over])) == [(1, fb.CONFIRMED)]
    assert kinds(derive(view(2, 103, "no", "negate"), [], [asked])) == [(1, fb.NEGATED)]
    # neither: a new request, which is no answer (and no slot) either
    assert derive(view(2, 103, "what time is it", "datetime_query"), [], [asked]) == []
    # a "yes" to a slot question is no confirmation
    slot = view(1, 100, "set a timer", "timer_set", asked="duration")
    assert fb.CONFIRMED not in {k for _, k in kinds(derive(view(2, 103, "yes", "affirm"), [],
                                                           [slot]))}


def test_chained_negations_are_a_plain_no() -> None:
    assert reaction_kind("no that's wrong") == fb.NEGATED
    assert reaction_kind("no no, wrong") == fb.NEGATED
    assert reaction_kind("no no the kitchen") == fb.CORRECTED
    assert reaction_kind("no stop") == fb.NEGATED
    assert fb.correction_text("no, that's wrong, I meant the kitchen") == "the kitchen"


def test_i_want_is_a_request_unless_after_no() -> None:
    assert reaction_kind("i want to set a timer") is None
    assert reaction_kind("no i wanted the kitchen") == fb.CORRECTED
    assert fb.correction_text("no i wanted the kitchen") == "the kitchen"
