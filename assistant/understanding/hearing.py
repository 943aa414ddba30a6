"""How well the words were heard bounds how sure the understanding can be.

A transcript from the command grammar passed the recognizer's acoustic check against a free
phone loop; one from the open language model, or a grammar sentence only offered as the
likeliest (``asr/steer.py``), carries the recognizer's calibrated chance that it was heard
right (``asr/grammar_first.py``). An understanding is never surer than its words:
below the dialogue's ``confirm_below`` it asks "did you mean ...?" instead of acting, so a
garbled transcript of speech that was no command ("add light at seattle shampoo ...") does not
add to a list.
"""

from __future__ import annotations

import dataclasses

from assistant.events import Transcript, Understanding


def weigh(u: Understanding, heard: Transcript) -> Understanding:
    """``u`` with its confidence at most a calibrated transcript's that the grammar did not
    vouch for (a plain language model's confidence is a mean word posterior, not a chance of
    being right: left alone)."""
    if heard.source == "grammar" or not heard.calibrated or u.confidence <= heard.confidence:
        return u
    return dataclasses.replace(u, confidence=heard.confidence)
