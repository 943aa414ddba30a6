"""``assistant run | demo | process | ask``: the loop on a microphone, on files, on text."""

from __future__ import annotations

import argparse
import json
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import paths
from assistant.config import Config, WakeMode
from assistant.errors import AudioError
from assistant.events import Turn

if TYPE_CHECKING:  # the loop imports every engine; commands load it only when they run
    from assistant.audio.base import Sink
    from assistant.pipeline.loop import State, VoiceLoop

DEMO_WAV = paths.PACKAGE_DATA / "demo-question.wav"


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("run", help="listen on the microphone and answer", parents=[common])
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="answer a bundled spoken question (no microphone needed)",
                       parents=[common])
    p.add_argument("-o", "--output", default="hearth-demo-reply.wav", help="reply WAV")
    p.add_argument("--json", action="store_true", help="print the turn as JSON")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("process", help="run the whole loop on WAV files (models load once)",
                       parents=[common])
    p.add_argument("input", nargs="+",
                   help="speech WAVs (any rate, width, channels), or - for raw PCM")
    p.add_argument("-o", "--output", help="reply WAV, for a single input (default: none)")
    p.add_argument("--json", action="store_true",
                   help="print the turns as JSON: one object per input file, in order")
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("ask", help="text in, text and speech out", parents=[common])
    p.add_argument("text", nargs="+")
    p.add_argument("-o", "--output", help="reply WAV (default: the speaker, if any)")
    p.add_argument("--json", action="store_true", help="print the turn as JSON")
    p.add_argument("--quiet", action="store_true", help="text only, no speech")
    p.set_defaults(func=cmd_ask)


def turn_dict(turn: Turn) -> dict[str, Any]:
    u = turn.understanding
    return {
        "transcript": turn.transcript.text,
        "asr_confidence": round(turn.transcript.confidence, 3),
        "intent": u.intent if u else None,
        "intent_confidence": round(u.confidence, 3) if u else None,
        "slots": [
            {"name": s.name, "text": s.text, "value": _jsonable(s.value),
             "confidence": round(s.confidence, 3)}
            for s in (u.slots if u else [])
        ],
        "understood_by": u.source if u else None,
        "heard_by": turn.transcript.source or None,
        "reply": turn.reply.text,
        "expects_answer": turn.reply.expects_answer,
        "timings_ms": turn.times.durations_ms(),
        "audio_seconds": round(turn.audio_seconds, 2),
    }


def _jsonable(v: Any) -> Any:
    return v if isinstance(v, (str, int, float, bool, type(None))) else str(v)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def print_turn(turn: Turn) -> None:
    d = turn_dict(turn)
    slots = " ".join(f"{s['name']}={s['text']!r}" for s in d["slots"])
    print(f"heard:   {d['transcript'] or '(nothing)'}")
    if d["intent"]:
        print(f"intent:  {d['intent']} ({d['intent_confidence']:.2f}) {slots}".rstrip())
    print(f"reply:   {d['reply']}")
    print("timings: " + ", ".join(f"{k} {v:.0f} ms" for k, v in d["timings_ms"].items()))


def _sink(output: str | None, cfg: Config, *, speaker: bool):
    """A WAV sink when a path is given; else the speaker, or None (with a note) if there is none."""
    if output:
        from assistant.audio.wav import WavSink

        return WavSink(Path(output))
    if not speaker:
        return None
    from assistant.pipeline.live import speaker_or_none

    return speaker_or_none(cfg)


def _loop(cfg: Config, sink: Sink | None, *, audio_in: bool, mode: WakeMode | None = None,
          live: bool = False, on_state: Callable[[State], None] | None = None) -> VoiceLoop:
    from assistant.audio.null import NullSink
    from assistant.pipeline.components import build
    from assistant.pipeline.loop import VoiceLoop
    # fallbacks are logged, one each
    components = build(cfg, audio_in=audio_in, live=live, mode=mode)
    return VoiceLoop(components, sink or NullSink(), live=live, on_state=on_state)


def _report(turns: list[Turn], as_json: bool, loop) -> None:
    if as_json:
        print(json.dumps({"turns": [turn_dict(t) for t in turns],
                          "engines": loop.describe(),
                          "peak_rss_mb": peak_rss_mb()}, indent=2))
        return
    for t in turns:
        print_turn(t)


def _answer(loop: VoiceLoop, source) -> list[Turn]:
    """Every utterance of one recording answered in turn; silence or noise only is said so."""
    from assistant.events import StageTimes, Transcript

    turns = list(loop.run(source))
    if not turns:
        times = StageTimes()
        times.speech_end = times.endpoint = times.asr_final = loop.clock()
        turns.append(loop.respond(Transcript(text=""), times))
    return turns


def process_file(cfg: Config, source, output: str | None, as_json: bool) -> int:
    """The whole loop on one recording: every utterance in it is answered in turn."""
    sink = _sink(output, cfg, speaker=False)
    loop = _loop(cfg, sink, audio_in=True, mode="always")
    turns = _answer(loop, source)
    loop.sink.close()
    _report(turns, as_json, loop)
    return 0


def process_files(cfg: Config, inputs: list[str], as_json: bool) -> int:
    """Several recordings, models loaded once, each a fresh conversation; a bad file is
    reported in its own place and the rest go on (exit code 1 if any was bad)."""
    from assistant.audio.null import NullSink
    from assistant.audio.wav import WavSource
    from assistant.dialogue.context import DialogueContext
    from assistant.errors import HearthError
    from assistant.pipeline.components import build
    from assistant.pipeline.loop import VoiceLoop

    components = build(cfg, audio_in=True, mode="always")
    failed = False
    for name in inputs:
        components.dialogue.context = DialogueContext()  # one recording is one conversation
        loop = VoiceLoop(components, NullSink())
        try:
            turns = _answer(loop, WavSource(Path(name)))
        except HearthError as e:
            failed = True
            if as_json:
                print(json.dumps({"file": name, "error": str(e)}), flush=True)
            else:
                print(f"{name}: error: {e}")
            continue
        if as_json:
            print(json.dumps({"file": name, "turns": [turn_dict(t) for t in turns],
                              "engines": components.describe(), "peak_rss_mb": peak_rss_mb()}),
                  flush=True)
        else:
            print(f"== {name}")
            for t in turns:
                print_turn(t)
    return 1 if failed else 0


def cmd_process(args: argparse.Namespace) -> int:
    from assistant.audio.pcm import PcmSource
    from assistant.audio.wav import WavSource
    from assistant.config import from_args
    from assistant.errors import ConfigError

    cfg = from_args(args)
    if len(args.input) > 1:
        if args.output or "-" in args.input:
            raise ConfigError("with several inputs, -o and - (raw PCM) are not available")
        return process_files(cfg, args.input, args.json)
    name = args.input[0]
    source = PcmSource() if name == "-" else WavSource(Path(name))
    return process_file(cfg, source, args.output, args.json)


def cmd_demo(args: argparse.Namespace) -> int:
    from assistant.audio.wav import WavSource
    from assistant.config import from_args

    cfg = from_args(args)
    print(f"demo: playing the bundled question {DEMO_WAV.name} through the loop", file=sys.stderr)
    rc = process_file(cfg, WavSource(DEMO_WAV), args.output, args.json)
    print(f"demo: spoken reply written to {args.output}", file=sys.stderr)
    _play_if_possible(args.output, cfg)
    return rc


def _play_if_possible(path: str, cfg: Config) -> None:
    from assistant.audio.device import SpeakerSink
    from assistant.audio.wav import read_wav_native

    try:
        sink = SpeakerSink(cfg.audio.output_device)
    except AudioError:
        return  # no speaker here: the WAV is the output
    sink.write(*read_wav_native(path))
    sink.flush()
    sink.close()


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.config import from_args

    cfg = from_args(args)
    sink = None if args.quiet else _sink(args.output, cfg, speaker=True)
    loop = _loop(cfg, sink, audio_in=False)
    turn = loop.ask(" ".join(args.text))
    loop.sink.close()
    _report([turn], args.json, loop)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The microphone loop, as a service: notify, watchdog, status, SIGTERM / SIGHUP, retries."""
    from assistant.config import from_args
    from assistant.pipeline.live import LiveAssistant

    def open_loop(cfg: Config, on_state):
        return _loop(cfg, _sink(None, cfg, speaker=True), audio_in=True, live=True,
                     on_state=on_state)

    def log_turn(turn: Turn, cfg: Config) -> None:
        if cfg.history.log_transcripts:  # transcripts stay out of the journal by default
            print_turn(turn)

    return LiveAssistant(lambda: from_args(args), open_loop, log_turn).run()
