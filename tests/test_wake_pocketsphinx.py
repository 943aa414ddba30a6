"""pocketsphinx wake phrase on a continuous stream of synthesized speech with look-alikes."""

from __future__ import annotations

import numpy as np
import pytest
from synth_helpers import flite_wav, noise, piper_wav, silence

from assistant.audio.wav import read_wav
from assistant.errors import ConfigError
from assistant.wake.pocketsphinx import SphinxWakeDetector, verify_grammar

POSITIVE = [
    lambda: piper_wav("hey computer, what time is it"),
    lambda: piper_wav("hey computer, turn on the lights", length_scale=1.1),
    lambda: flite_wav("hey computer, set a timer", "slt"),
    lambda: flite_wav("hey computer", "kal16"),
]
NEGATIVE = [
    lambda: piper_wav("the computer is on the desk"),
    lambda: piper_wav("my computer is broken again"),
    lambda: piper_wav("I bought a computer yesterday"),
    lambda: flite_wav("a computer can do that", "kal16"),
    lambda: piper_wav("hey there, how are you"),
    lambda: piper_wav("set a timer for ten minutes"),
]


@pytest.fixture(scope="module")
def detector():
    return SphinxWakeDetector("hey computer")


def stream(detector, x, block=480):
    """Detection times (stream seconds) over ``x``."""
    hits = []
    for i in range(0, len(x), block):
        if detector.accept(x[i : i + block]):
            hits.append(detector.last.time)
            detector.reset()
    return hits


def test_detects_in_a_long_stream_only_the_wake_phrase(detector):
    parts, expected = [silence(0.8)], []
    clips = [(True, f) for f in POSITIVE] + [(False, f) for f in NEGATIVE]
    order = [clips[i] for i in (4, 0, 5, 6, 1, 7, 8, 2, 9, 3)]  # interleaved
    t = 0.8
    for positive, make in order:
        x = read_wav(make())
        if positive:
            expected.append((t, t + len(x) / 16000))
        parts += [x, silence(0.7)]
        t += len(x) / 16000 + 0.7
    audio = np.concatenate(parts) + noise(t + 0.1, level=0.002)[: sum(map(len, parts))]
    start_rejected = detector.rejected
    hits = stream(detector, audio.astype(np.int16))
    assert len(hits) == len(expected), (hits, expected)
    for hit, (a, b) in zip(hits, expected, strict=True):
        assert a + 0.4 < hit < min(b, a + 1.6)  # after "hey computer", well before the clip ends
    assert detector.rejected > start_rejected  # look-alikes reached verification and lost


def test_without_verification_look_alikes_fire(monkeypatch):
    import assistant.wake.pocketsphinx as wake

    monkeypatch.setattr(wake, "SINGLE_WORD_MIN_THRESHOLD", 0.0)  # spotting alone, as configured
    raw = SphinxWakeDetector("hey computer", verify=False)
    assert stream(raw, np.concatenate([silence(0.5), read_wav(NEGATIVE[0]()), silence(0.5)]))


def test_single_word_phrase_for_barge_in():
    stop = SphinxWakeDetector("stop")  # what the loop listens for while talking
    assert stop.threshold >= 1e-5
    for said in [piper_wav("stop"), piper_wav("okay stop"), flite_wav("stop", "kal16")]:
        assert stream(stop, np.concatenate([silence(0.5), read_wav(said), silence(0.5)]))
    for reply in ["the timer is set for ten minutes", "i added milk to your shopping list",
                  "your alarm is set for six forty five", "please shop for bread"]:
        assert not stream(stop, np.concatenate([silence(0.5), read_wav(piper_wav(reply)),
                                                silence(0.5)])), reply


def test_detection_latency_is_short(detector):
    x = read_wav(piper_wav("hey computer"))
    speech_end = np.flatnonzero(np.abs(x.astype(np.int32)) > 300)[-1] / 16000
    detector.reset()
    base = detector.elapsed
    audio = np.concatenate([silence(0.5), x, silence(1.0)])
    decided = None
    for i in range(0, len(audio), 480):
        if detector.accept(audio[i : i + 480]):
            decided = detector.elapsed - base
            break
    assert decided is not None
    assert 0 < detector.last.score <= 1
    assert detector.last.time - base == pytest.approx(0.5 + speech_end, abs=0.12)
    assert decided - (0.5 + speech_end) < 0.35  # the user hears the chime right away


def test_config_errors():
    with pytest.raises(ConfigError, match="threshold"):
        SphinxWakeDetector("hey computer", threshold=5.0)
    with pytest.raises(ConfigError, match="empty"):
        SphinxWakeDetector("  ")


def test_other_phrases_and_unknown_words():
    det = SphinxWakeDetector("hey hearthling")  # not in the CMU dictionary
    assert det._kws.lookup_word("hearthling")
    assert "(hey | the |" in verify_grammar(["hey", "hearthling"])


def test_spotters_load_only_the_words_they_listen_for(detector):
    """A dozen-word dictionary instead of the whole CMU one (a fifth of the memory)."""
    assert detector._kws.lookup_word("computer") is not None
    assert detector._kws.lookup_word("banana") is None
    assert detector._verify.lookup_word("the") is not None  # a look-alike rival
    stop = SphinxWakeDetector("stop")
    assert stop._kws.lookup_word("stop") is not None and stop._kws.lookup_word("hey") is None
