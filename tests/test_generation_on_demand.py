"""The generative model is loaded by the first open question and let go when questions stop."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest
from generation_helpers import model_dir

from assistant.config import GenerationConfig
from assistant.errors import ModelError
from assistant.generation.generator import Generator
from assistant.generation.on_demand import OnDemand
from assistant.skills.general import FALLBACK, guarded_stream


class Answers:
    """Stands in for a loaded Generator: says two sentences per question."""

    def sentences(self, question: str):
        yield f"About {question}."
        yield "That is all."


class Loads:
    def __init__(self, error: Exception | None = None) -> None:
        self.count, self.error = 0, error

    def __call__(self):
        self.count += 1
        if self.error is not None:
            raise self.error
        return Answers()


def wait_until(predicate, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_the_first_question_loads_it_and_later_ones_reuse_it():
    load = Loads()
    model = OnDemand(load, idle_s=60)
    assert load.count == 0 and not model.loaded
    assert list(model.sentences("owls")) == ["About owls.", "That is all."]
    assert list(model.sentences("bees")) == ["About bees.", "That is all."]
    assert load.count == 1 and model.loaded


def test_it_is_let_go_after_the_idle_time_and_loaded_again_when_asked():
    load = Loads()
    model = OnDemand(load, idle_s=0.05)
    list(model.sentences("owls"))
    assert wait_until(lambda: not model.loaded)
    assert list(model.sentences("bees"))[0] == "About bees."
    assert load.count == 2


def test_it_is_not_let_go_while_an_answer_is_being_said():
    model = OnDemand(Loads(), idle_s=0.05)
    answer = model.sentences("owls")
    assert next(answer) == "About owls."
    time.sleep(0.3)  # six idle times with the listener still taking the answer
    assert model.loaded
    assert list(answer) == ["That is all."]
    assert wait_until(lambda: not model.loaded)


def test_a_question_in_the_idle_time_starts_it_over():
    load = Loads()
    model = OnDemand(load, idle_s=0.4)
    list(model.sentences("owls"))
    time.sleep(0.25)
    list(model.sentences("bees"))
    time.sleep(0.25)  # 0.5 s after the first answer, 0.25 after the second
    assert model.loaded and load.count == 1


def test_zero_idle_time_loads_at_once_and_keeps_it():
    load = Loads()
    model = OnDemand(load, idle_s=0)
    assert load.count == 1 and model.loaded
    list(model.sentences("owls"))
    time.sleep(0.1)
    assert model.loaded and load.count == 1


def test_a_model_that_will_not_load_is_tried_once():
    load = Loads(ModelError("generation model is corrupt"))
    model = OnDemand(load, idle_s=60)
    for _ in range(2):
        with pytest.raises(ModelError, match="corrupt"):
            list(model.sentences("owls"))
    assert load.count == 1


def test_a_corrupt_model_found_by_a_question_gets_the_fallback_and_one_line(tmp_path: Path,
                                                                             caplog):
    folder = tmp_path / "model"
    shutil.copytree(model_dir(), folder)
    (folder / "model.onnx").write_bytes(b"\x00garbage" * 100)
    model = OnDemand(lambda: Generator(folder, GenerationConfig()), idle_s=60)
    with caplog.at_level(logging.WARNING):
        assert list(guarded_stream(model.sentences, "why is the sky blue")) == [FALLBACK]
    notes = [r for r in caplog.records if "generative model" in r.getMessage()]
    assert len(notes) == 1 and "model.onnx" in notes[0].getMessage()
    assert notes[0].exc_info is None  # a sentence, not a traceback


def test_the_real_model_answers_after_being_let_go():
    model = OnDemand(lambda: Generator(model_dir(), GenerationConfig(max_new_tokens=8)),
                     idle_s=0.05)
    assert not model.loaded
    first = list(model.sentences("why is the sky blue"))
    assert first and wait_until(lambda: not model.loaded)
    assert list(model.sentences("why is the sky blue")) == first  # greedy: the same answer
