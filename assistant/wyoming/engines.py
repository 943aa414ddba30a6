"""The engines every Wyoming connection shares: built once, and what makes them safe to share.

What each engine allows, measured on this code (see tests/test_wyoming_*.py):

* pocketsphinx decoders keep per-utterance state, so each speech-to-text stream takes its own
  recognizer from a small pool (7.7 MB each, 0.07 s to make one; a kept one also keeps the
  channel estimate the loop relies on);
* a wake word detector (openWakeWord: 12 MB, 0.75 s to load) keeps stream state, so each
  ``detect`` stream takes its own from a pool too, reset when it comes back;
* the piper voice phonemizes through espeak-ng, whose state is global: one sentence at a time,
  under a lock (two syntheses at once on two cores would not finish sooner anyway);
* the NLU model and its caches: one parse at a time (a parse takes ~7 ms);
* the generative model: one decoding step at a time.

Every engine call runs on a small thread pool, never on the event loop, so one slow request
never stalls the others' audio.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar, get_args

from assistant.asr.base import Recognizer
from assistant.config import Config, WyomingService
from assistant.dialogue.manager import DialogueManager
from assistant.errors import ConfigError
from assistant.events import Understanding
from assistant.generation.on_demand import OnDemand
from assistant.pipeline.components import Components, build, make_dialogue
from assistant.sentences.load import SentenceSet, without_commands
from assistant.wake.base import WakeDetector
from assistant.wake.factory import make_detector

SERVICES: tuple[str, ...] = get_args(WyomingService)
WORKERS = 4  # engine threads: 2 cores, plus room for calls that wait on a lock
DIALOGUE_WORKERS = 2  # threads for skills, apart from the engines' (a command can take 4 s)
COMMANDS_OFF = "commands asked for over Wyoming are switched off"  # wyoming.run_commands
KEEP_IDLE = 4  # idle recognizers and wake detectors kept for the next stream
MAX_CONVERSATIONS = 64  # dialogue states kept for clients that name their conversation

T = TypeVar("T")


class Pool(Generic[T]):
    """Engines with per-stream state: made when none is free, at most ``keep`` kept idle."""

    def __init__(self, make: Callable[[], T], keep: int, first: T | None = None) -> None:
        self._make = make
        self._keep = keep
        self._free: list[T] = [first] if first is not None else []
        self._lock = threading.Lock()

    def take(self) -> T:
        with self._lock:
            if self._free:
                return self._free.pop()
        return self._make()

    def give(self, item: T) -> None:
        with self._lock:
            if len(self._free) < self._keep:
                self._free.append(item)

    @property
    def idle(self) -> int:
        return len(self._free)


class OneAtATime:
    """The generative model behind a lock taken per sentence, so answers to two clients
    interleave instead of racing for the same two cores."""

    def __init__(self, generator: OnDemand, lock: threading.Lock) -> None:
        self._generator = generator
        self._lock = lock

    def sentences(self, question: str) -> Iterator[str]:
        it = self._generator.sentences(question)
        while True:
            with self._lock:
                sentence = next(it, None)
            if sentence is None:
                return
            yield sentence


@dataclass
class Conversation:
    """One dialogue (its pending question, last reply, context) and the lock that keeps two
    requests for the same conversation from interleaving."""

    dialogue: DialogueManager
    lock: threading.Lock = field(default_factory=threading.Lock)


def _commands_allowed(cfg: Config, sentences: SentenceSet | None) -> SentenceSet | None:
    """The custom intents as Wyoming clients may use them: commands only when the config says."""
    if sentences is None or cfg.wyoming.run_commands:
        return sentences
    return without_commands(sentences, COMMANDS_OFF)


def check_services(names: list[str]) -> frozenset[str]:
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise ConfigError(f"wyoming.services: unknown '{unknown[0]}' (known: {', '.join(SERVICES)})")
    if not names:
        raise ConfigError(f"wyoming.services is empty; name some of: {', '.join(SERVICES)}")
    return frozenset(names)


def wake_words(detector: WakeDetector) -> dict[str, str]:
    """The names detections carry ("hey_jarvis"; pocketsphinx: the phrase), with the words a
    person says for each: what ``info`` lists and Home Assistant asks for by name."""
    return dict(zip(detector.ids, detector.words, strict=True))


def same_wake_word(a: str, b: str) -> bool:
    """"hey_jarvis", "Hey Jarvis" and "hey-jarvis" are one wake word."""
    norm = lambda s: " ".join(s.lower().replace("_", " ").replace("-", " ").split())  # noqa: E731
    return norm(a) == norm(b)


class Engines:
    """Built once per server (and again on reload); shared by all connections."""

    def __init__(self, cfg: Config, services: frozenset[str], components: Components,
                 executor: ThreadPoolExecutor | None = None,
                 dialogue_executor: ThreadPoolExecutor | None = None) -> None:
        self.cfg = cfg
        self.services = services
        self.c = components
        # shared with the engines a reload replaces: their connections still finish on it
        self.executor = executor or ThreadPoolExecutor(WORKERS, thread_name_prefix="wyoming")
        # skills (a custom command among them) never hold a thread speech and voices need
        self.dialogue_executor = dialogue_executor or ThreadPoolExecutor(
            DIALOGUE_WORKERS, thread_name_prefix="wyoming-dialogue")
        self.sentences = _commands_allowed(cfg, components.sentences)
        self.tts_lock = threading.Lock()
        self.nlu_lock = threading.Lock()
        self.generation_lock = threading.Lock()
        self.recognizers: Pool[Recognizer] = Pool(self._new_recognizer, KEEP_IDLE,
                                                  first=components.recognizer)
        first_wake = components.wake
        if first_wake is None and "wake" in services:  # built without audio in
            first_wake = make_detector(cfg.wake)
        self.wake_detectors: Pool[WakeDetector] = Pool(lambda: make_detector(cfg.wake),
                                                        KEEP_IDLE, first=first_wake)
        self.wake_names = wake_words(first_wake) if first_wake is not None else {}
        self.wake_engine = first_wake.name if first_wake is not None else ""
        self.wake_about = first_wake.about if first_wake is not None else None
        self._generate = (OneAtATime(components.generator, self.generation_lock)
                          if components.generator is not None else None)
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()
        self._conversations_lock = threading.Lock()

    @classmethod
    def build(cls, cfg: Config, executor: ThreadPoolExecutor | None = None,
              dialogue_executor: ThreadPoolExecutor | None = None) -> Engines:
        """Load what the configured services need, through the loop's own factories."""
        services = check_services(cfg.wyoming.services)
        cfg = dataclasses.replace(cfg, generation=dataclasses.replace(
            cfg.generation, enabled=cfg.generation.enabled and "handle" in services))
        # the loop's wake detector becomes the first of the pool when the service runs
        components = build(cfg, audio_in=bool({"asr", "wake"} & services),
                           mode="wake_word" if "wake" in services else "always")
        return cls(cfg, services, components, executor, dialogue_executor)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` on the engine threads (the event loop keeps serving meanwhile)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def run_dialogue(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` (a dialogue turn, which runs skills) on the dialogue threads."""
        return await asyncio.get_running_loop().run_in_executor(self.dialogue_executor, fn, *args)

    def _new_recognizer(self) -> Recognizer:
        from assistant.asr.factory import make_recognizer

        return make_recognizer(self.cfg.asr, self.c.vocabulary)

    def understand(self, text: str) -> Understanding:
        with self.nlu_lock:
            return self.c.understander.parse(text)

    def new_conversation(self) -> Conversation:
        return Conversation(make_dialogue(self.cfg, self.c.store, self._generate,
                                          self.sentences))

    def conversation(self, key: str) -> Conversation:
        """The dialogue a client named (Home Assistant's ``conversation_id``), kept across its
        connections; the least recently used is forgotten past MAX_CONVERSATIONS."""
        with self._conversations_lock:
            conv = self._conversations.pop(key, None) or self.new_conversation()
            self._conversations[key] = conv
            while len(self._conversations) > MAX_CONVERSATIONS:
                self._conversations.popitem(last=False)
            return conv

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.dialogue_executor.shutdown(wait=False, cancel_futures=True)
