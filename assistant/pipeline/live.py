"""``assistant run``: the microphone loop as the service runs it.

One object owns what the service swaps on ``systemctl reload`` (config, models, loop) and
hands the service runtime its three callbacks: rebuild, interrupt a reply, shut down.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable

from assistant.audio.base import Sink
from assistant.config import Config
from assistant.events import Turn
from assistant.pipeline.loop import State, VoiceLoop
from assistant.service.retry import ResilientSource
from assistant.service.runtime import ServiceRuntime


class LiveAssistant:
    """The voice loop on the microphone, rebuilt from the config file on every reload.

    ``load`` reads the config (file plus flags); ``open_loop`` builds a loop from a config with
    the state callback it is given. A reload that fails keeps the previous loop (the runtime
    logs why); a successful one closes the previous loop's speaker.
    """

    def __init__(self, load: Callable[[], Config],
                 open_loop: Callable[[Config, Callable[[State], None]], VoiceLoop],
                 on_turn: Callable[[Turn, Config], None] | None = None) -> None:
        self._load = load
        self._open_loop = open_loop
        self._on_turn = on_turn
        self.cfg = load()
        self.runtime = ServiceRuntime(self.cfg.service, reload=self.reload,
                                      interrupt=self.interrupt, shutdown=self.close)
        self.loop = self._build(self.cfg)

    def _build(self, cfg: Config) -> VoiceLoop:
        loop = self._open_loop(cfg, self.runtime.set_state)
        self.runtime.set_models(loop.describe())
        return loop

    def reload(self) -> None:
        """New config and models between turns (the runtime calls this on SIGHUP)."""
        cfg = self._load()
        loop = self._build(cfg)
        old, self.cfg, self.loop = self.loop, cfg, loop
        old.sink.close()

    def run_once(self) -> None:
        """Serve the microphone until a reload or a stop is asked for."""
        from assistant.audio.device import MicSource

        loop, cfg, runtime = self.loop, self.cfg, self.runtime
        mic = ResilientSource(
            lambda: MicSource(cfg.audio.input_device, block_ms=cfg.audio.block_ms,
                              rate=cfg.audio.sample_rate),
            status=runtime.status, stop=runtime.stopping, heartbeat=runtime.heartbeat,
            end_when=lambda: runtime.reload_pending,
        )
        for turn in loop.run(runtime.guard(mic, idle=lambda: loop.state is State.IDLE)):
            runtime.record_turn(turn)
            if self._on_turn is not None:
                self._on_turn(turn, cfg)

    def interrupt(self) -> None:
        """Cut a reply that is playing (SIGTERM, or a stop)."""
        self.loop.player.interrupt()

    def close(self) -> None:
        self.loop.sink.close()

    def push_to_talk(self) -> None:
        """The "button": Enter on a terminal, or SIGUSR1 from a GPIO script / another process."""
        signal.signal(signal.SIGUSR1, lambda *_: self.loop.talk.set())

        def read_enter() -> None:
            for _ in sys.stdin:
                self.loop.talk.set()

        if sys.stdin is not None and sys.stdin.isatty():
            threading.Thread(target=read_enter, daemon=True, name="push-to-talk").start()

    def run(self) -> int:
        if self.loop.mode == "push_to_talk":
            self.push_to_talk()
            print("push to talk: press Enter (or send SIGUSR1) to talk", file=sys.stderr)
        elif self.loop.c.wake is not None:
            wake = self.loop.c.wake
            words = " or ".join(f"'{w}'" for w in wake.words)
            print(f"listening ({self.loop.mode}; say {words}, {wake.name}; "
                  f"{self.loop.describe()['vad']} VAD)", file=sys.stderr)
        else:
            print(f"listening ({self.loop.mode}; {self.loop.describe()['vad']} VAD)",
                  file=sys.stderr)
        return self.runtime.run(self.run_once)


def speaker_or_none(cfg: Config) -> Sink | None:
    """The configured speaker, or None (replies in text) when there is none."""
    from assistant.audio.device import SpeakerSink
    from assistant.errors import AudioError

    try:
        return SpeakerSink(cfg.audio.output_device)
    except AudioError as e:
        print(f"note: {e}; replying in text only", file=sys.stderr)
        return None
