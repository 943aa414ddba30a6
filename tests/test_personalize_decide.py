"""The promotion rule on its own: household must gain, base may lose at most the limit."""

from __future__ import annotations

from personalize.steps import decide


def metrics(live: tuple[float, float], new: tuple[float, float], ref: float, base_new: float) -> dict:
    return {
        "household_live": {"n": 10, "accuracy": live[0], "frame_accuracy": live[1]},
        "household_new": {"n": 10, "accuracy": new[0], "frame_accuracy": new[1]},
        "base_reference": {"accuracy": ref}, "base_new": {"accuracy": base_new},
    }


def test_promotes_a_gain_within_the_base_limit() -> None:
    ok, why = decide(metrics((0.5, 0.4), (0.9, 0.8), 0.945, 0.941), 0.5)
    assert ok and "base test -0.40 points" in why


def test_refuses_too_much_base_loss_and_says_so() -> None:
    ok, why = decide(metrics((0.5, 0.4), (0.9, 0.8), 0.945, 0.939), 0.5)
    assert not ok and "base test accuracy would drop 0.60 points" in why


def test_refuses_no_gain_or_a_trade_off() -> None:
    assert not decide(metrics((0.8, 0.6), (0.8, 0.6), 0.945, 0.945), 0.5)[0]
    ok, why = decide(metrics((0.8, 0.6), (0.9, 0.5), 0.945, 0.945), 0.5)  # intent up, slots down
    assert not ok and "did not improve" in why
    assert not decide({**metrics((0, 0), (0, 0), 1, 1), "household_live": {"n": 0}}, 0.5)[0]
