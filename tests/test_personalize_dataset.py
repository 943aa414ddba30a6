"""Training set from history: positives, rephrases, corrections, slot alignment, household words."""

from __future__ import annotations

from pathlib import Path

from assistant.config import HistoryConfig
from assistant.events import Reply, Slot, Transcript, Turn, Understanding
from assistant.history.store import HistoryRecorder, turns
from assistant.household import understander, words
from assistant.store import Store
from personalize import dataset
from personalize.dataset import align_slots
from personalize.words import collect


class Clock:
    t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


def rec_turn(rec: HistoryRecorder, clock: Clock, gap: float, text: str, intent: str,
             conf: float = 0.95, ok: bool = True, slots: list[Slot] | None = None,
             asks: bool = False) -> None:
    clock.t += gap
    rec.record(Turn(Transcript(text), Understanding(text, intent, conf, slots or []),
                    Reply("ok", intent=intent, ok=ok, expects_answer=asks)))


def w(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def test_align_slots_maps_replaced_words() -> None:
    src = w("turn off the lights in the living room")
    assert align_slots(src, [("place", 6, 8)], w("lights out in the den")) == [
        ("place", 4, 5)]
    # "out" might be the room: ambiguous, so the slot labels are unknown rather than wrong
    assert align_slots(src, [("place", 6, 8)], w("lights out")) is None
    assert align_slots(src, [("place", 6, 8)], w("kill the den lights")) is None
    # kept words map one to one; a dropped slot with nothing in its place is absent
    src2 = w("add gran's tablets to my shopping list")
    dst2 = w("stick gran's tablets on the list")
    assert align_slots(src2, [("item", 1, 3), ("list", 5, 6)], dst2) == [("item", 1, 3)]
    src3 = w("read me my shopping list")
    assert align_slots(src3, [("list", 3, 4)], w("what's on the list")) == []


def build(tmp_path: Path) -> dataset.TrainingSet:
    store = Store(tmp_path / "h.db")
    clock = Clock()
    rec = HistoryRecorder(store, HistoryConfig(), clock)
    # a confident positive, said three times
    for _ in range(3):
        rec_turn(rec, clock, 600, "what time is it", "datetime_query")
    # wrong -> "no" -> standard rephrase (labels the first with the rephrase's intent + slot)
    rec_turn(rec, clock, 600, "lights out in the den", "lights_on", 0.7)
    rec_turn(rec, clock, 3, "no", "negate")
    rec_turn(rec, clock, 4, "turn off the lights in the living room", "lights_off",
             slots=[Slot("place", "living room", "living room", 0.9, 6, 8)])
    # wrong -> explicit correction with a whole command
    rec_turn(rec, clock, 600, "kill the timer", "joke", 0.6)
    rec_turn(rec, clock, 3, "no i meant cancel the timer", "timer_cancel")
    # slot correction: the intent was right, the room was not
    rec_turn(rec, clock, 600, "lights up in the den", "lights_on", 0.9,
             slots=[Slot("place", "den", "den", 0.8, 4, 5)])
    rec_turn(rec, clock, 3, "no, I meant the living room", "negate")
    # complained about, never said what was meant: teaches nothing
    rec_turn(rec, clock, 600, "tell me a joke", "joke")
    rec_turn(rec, clock, 2, "stop", "stop")
    # unsure and unchallenged: not a positive
    rec_turn(rec, clock, 600, "whatever that was", "help", 0.4)
    # the assistant asks for the missing item; the answer's words are the slot in the request
    rec_turn(rec, clock, 600, "add gran's tablets to the list", "list_add", asks=True)
    rec_turn(rec, clock, 4, "gran's tablets", "out_of_scope", 0.5)
    return dataset.build(turns(store))


def test_labels_and_counts(tmp_path: Path) -> None:
    ts = build(tmp_path)
    by_text = {e.text: e for e in ts.all}
    assert by_text["what time is it"].source == "positive" and by_text["what time is it"].count == 3
    den = by_text["lights out in the den"]
    assert (den.source, den.intent, den.slots) == ("rephrase", "lights_off", [("place", 4, 5)])
    assert den.values == {"place": "living room"}
    kill = by_text["kill the timer"]
    assert (kill.source, kill.intent) == ("correction", "timer_cancel")
    up = by_text["lights up in the den"]
    assert (up.source, up.intent, up.values) == ("correction", "lights_on", {"place": "living room"})
    assert "tell me a joke" not in by_text and "whatever that was" not in by_text
    gran = by_text["add gran's tablets to the list"]
    assert (gran.source, gran.intent, gran.slots) == ("completed", "list_add", [("item", 1, 3)])
    assert "gran's tablets" not in by_text  # an answer is not an example of its own
    c = ts.counts
    assert c["turns"] == 15 and c["positive"] >= 3 and c["rephrase"] == 1 and c["correction"] == 2
    assert c["complained_unlabelled"] == 1 and c["unsure"] == 1 and c["reactions"] == 5
    assert "no" not in by_text and "stop" not in by_text  # reactions are not examples
    assert c["train"] + c["holdout"] == c["examples"]
    again = dataset.TrainingSet.from_json(ts.to_json())
    assert again.all == ts.all


def test_a_yes_to_did_you_mean_teaches_the_unsure_turn(tmp_path: Path) -> None:
    """The real dialogue asks about an unsure turn; "yes" makes it an example, "no" does not."""
    from datetime import datetime

    from assistant.dialogue.manager import DialogueManager

    store, clock = Store(tmp_path / "h.db"), Clock()
    rec = HistoryRecorder(store, HistoryConfig(), clock)
    dm = DialogueManager(Store(tmp_path / "skills.db"), plugins=False,
                         clock=lambda: datetime.fromtimestamp(clock.t))

    def say(gap: float, text: str, intent: str, conf: float) -> Reply:
        clock.t += gap
        u = Understanding(text, intent, conf, [])
        reply = dm.respond(u)
        rec.record(Turn(Transcript(text), u, reply))
        return reply

    asked = say(600, "what's the hour", "datetime_query", 0.4)
    assert asked.expects_answer and asked.data["key"] == "dialogue.did_you_mean"
    assert say(3, "yes", "affirm", 0.95).intent == "datetime_query"  # done once confirmed
    say(600, "bin the timer", "timer_cancel", 0.4)
    say(3, "no", "negate", 0.95)
    # a custom intent is asked about in the words heard, and confirmed the same way
    asked = say(600, "water the roses", "WaterGarden", 0.4)
    assert asked.expects_answer and asked.data["key"] == "dialogue.did_you_say"
    say(3, "yeah", "affirm", 0.95)
    ts = dataset.build(turns(store))
    by_text = {e.text: e for e in ts.all}
    hour = by_text["what's the hour"]
    assert (hour.source, hour.intent) == ("confirmed", "datetime_query")
    assert (by_text["water the roses"].source, by_text["water the roses"].intent) == (
        "confirmed", "WaterGarden")
    assert "bin the timer" not in by_text and "yes" not in by_text and "no" not in by_text
    assert ts.counts["confirmed"] == 2


def test_household_words(tmp_path: Path) -> None:
    ts = build(tmp_path)
    h = collect(ts.all, base_vocabulary={"what", "time", "is", "it", "lights", "in", "the"})
    assert "den" in h.gazetteers["place"] and "gran's tablets" in h.gazetteers["item"]
    assert h.synonyms["place"]["den"] == "living room"
    assert "den" in h.extra_words and "the" not in h.extra_words
    assert h.extra_sentences[0] == "what time is it"
    f = tmp_path / "household.json"
    h.save(f)
    assert words.load(f) == h


def test_household_understander_resolves_and_fills() -> None:
    h = words.Household(gazetteers={"place": ["den"], "item": ["gran's tablets"]},
                            synonyms={"place": {"den": "living room"}})

    class Inner:
        name = "fake"
        version = "test"

        def parse(self, text: str) -> Understanding:
            if text.startswith("add"):
                return Understanding(text, "list_add", 0.9)
            return Understanding(text, "lights_off", 0.9, [Slot("place", "den", "den", 0.9, 4, 5)])

    hu = understander.HouseholdUnderstander(Inner(), h)
    u = hu.parse("lights out in the den")
    assert u.slot("place").value == "living room" and u.slot("place").text == "den"
    u = hu.parse("add gran's tablets to the list")
    assert u.slot("item").text == "gran's tablets" and (u.slot("item").start, u.slot("item").end) == (1, 3)


def test_a_typed_written_request_is_learnt_on_the_words_its_slots_count(tmp_path: Path) -> None:
    """Typed text and Home Assistant's transcripts are read as spoken words ("12-ounce" ->
    "twelve ounce"): history keeps those words, so the slots' word indices still fit them."""
    from assistant.sentences.load import builtin
    from assistant.understanding.door import TemplateUnderstander
    from assistant.understanding.keywords import KeywordUnderstander

    said = "add 12-ounce cups to my shopping list"
    u = TemplateUnderstander(KeywordUnderstander(), builtin()).parse(said)
    store = Store(tmp_path / "hearth.db")
    HistoryRecorder(store, HistoryConfig(), lambda: 1.7e9).record(
        Turn(Transcript(said), u, Reply("ok", intent=u.intent)))
    row = next(iter(turns(store)))
    spans = {name: " ".join(w(row["asr_text"])[a:b]) for name, a, b in dataset._own_spans(row)}
    assert spans == {"item": "twelve ounce cups", "list": "shopping"}
