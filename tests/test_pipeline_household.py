"""What the nightly job learned reaches the running loop: household words in the recognizer's
language model, household synonyms in the understanding."""

from __future__ import annotations

import shutil

from test_pipeline_loop import speech

from assistant.config import Config
from assistant.household import versions
from assistant.household.understander import HouseholdUnderstander
from assistant.household.words import Household
from assistant.pipeline.components import build
from assistant.store import Store


def test_live_household_words_reach_asr_and_understanding(tmp_path):
    folder = versions.nlu_root() / "incoming"
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(versions.shipped_model_dir(), folder)
    Household(gazetteers={"place": ["den"]}, synonyms={"place": {"den": "living room"}},
              extra_words=["den"], extra_sentences=["lights out in the den"],
              ).save(folder / "household.json")
    versions.install(folder, {"promoted_because": "test"}, keep=2)
    try:
        cfg = Config()
        cfg.generation.enabled = False
        c = build(cfg, audio_in=True, store=Store(tmp_path / "h.db"))
        assert isinstance(c.understander, HouseholdUnderstander)
        u = c.understander.parse("turn off the lights in the den")
        assert u.intent == "lights_off"
        place = u.slot("place")
        assert place is not None and place.value == "living room"
        c.recognizer.accept(speech("lights out in the den"))
        assert c.recognizer.final().text == "lights out in the den"
    finally:
        versions.rollback()
