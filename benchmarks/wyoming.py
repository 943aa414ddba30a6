"""Hearth's Wyoming services against wyoming-piper, in one run, with the same joe voice and texts.

Text to speech: time to the first audio chunk and to the end, for ``synthesize`` (plain) and
for streamed synthesis (``synthesize-start``, the text word by word as a language model writes
it, ``synthesize-stop``), Hearth's ``hearth-tts`` vs ``wyoming-piper`` (PyPI, installed into
this benchmark's own venv under benchmarks/results/, never a dependency of the project).
Speech to text: ``audio-stop`` -> ``transcript`` latency of ``hearth-asr`` with the audio sent
in real time as Home Assistant sends it, against the same recognizer called in-process (the
baseline: what the protocol and the server add), on several voices, speeds and noise, with
sentences written apart from the templates. Then ``wyoming-bench`` (PyPI) runs against both
servers and its own table is printed as it prints it.

Medians and ratios to the baseline measured in the same run, servers interleaved text by text,
so a busy machine slows both alike.

Usage: python benchmarks/wyoming.py [--rounds N] [--no-bench] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import venv
import wave
from pathlib import Path

import numpy as np

# This file is benchmarks/wyoming.py: its folder, first on sys.path, would hide the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
from wyoming.asr import Transcribe  # noqa: E402
from wyoming.audio import AudioChunk, AudioStart, AudioStop  # noqa: E402
from wyoming.client import AsyncTcpClient  # noqa: E402
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
VENV = RESULTS / "venv-wyoming"
PINS = ["wyoming-piper==2.5.2", "wyoming-bench==2026.10.0"]
PYTHON = sys.executable

# Multi-sentence replies, as a skill or a language model says them.
TEXTS = [
    "It is twenty one degrees and sunny. Expect light rain after six in the evening.",
    "I added milk, eggs and bread to your shopping list. You now have seven items.",
    "Good morning! You have two reminders today. The first one is the dentist at ten thirty.",
    "Paris is the capital of France. It is known for the Eiffel Tower. About two million "
    "people live there.",
    "There are three timers running. The pasta timer has four minutes left. The tea timer "
    "is done.",
    "Your alarm is set for six forty five tomorrow morning. Sleep well.",
    "A fortnight is fourteen days, so that is the twelfth of next month. Shall I set a "
    "reminder?",
    "The kettle takes about three minutes. I will tell you when it is time to pour.",
]
# Commands for speech to text, written apart from the sentence templates; several voices.
COMMANDS = [
    ("piper", "could you set a timer for twelve minutes"),
    ("piper", "put washing up liquid on the shopping list"),
    ("piper", "what is seven times eight"),
    ("slt", "wake me up at half past six tomorrow"),
    ("slt", "how much time is left on the pasta timer"),
    ("kal16", "remind me to call grandma on sunday"),
    ("kal16", "turn the volume down a bit"),
    ("awb", "what time is it in the evening"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_venv() -> Path:
    """The benchmark's own environment with wyoming-piper and wyoming-bench, from PyPI."""
    bin_dir = VENV / "bin"
    if not (bin_dir / "wyoming-piper").exists() or not (bin_dir / "wyoming-bench").exists():
        print(f"wyoming: creating {VENV} with {' '.join(PINS)} (once)", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", *PINS], check=True)
    return bin_dir


def joe_dir() -> Path:
    from assistant.tts.piper_voice import voice_path

    return voice_path("").parent


class Server:
    """A server process on 127.0.0.1:PORT, ready when it accepts a connection."""

    def __init__(self, name: str, cmd: list[str], port: int, env: dict[str, str] | None = None):
        self.name, self.port = name, port
        self.log = (RESULTS / f"wyoming-{name}.log").open("w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{name} exited; see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{name} did not start; see {self.log.name}")

    def close(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


async def synthesize(port: int, text: str, streamed: bool) -> tuple[float, float, float]:
    """(first audio chunk, last event, audio seconds) in seconds from the first request."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        t0 = time.perf_counter()
        if streamed:
            await client.write_event(SynthesizeStart().event())
            for word in text.split(" "):
                await client.write_event(SynthesizeChunk(text=word + " ").event())
            await client.write_event(Synthesize(text=text).event())
            await client.write_event(SynthesizeStop().event())
        else:
            await client.write_event(Synthesize(text=text).event())
        first, samples, rate = None, 0, 22050
        end_type = "synthesize-stopped" if streamed else "audio-stop"
        while True:
            event = await client.read_event()
            if event is None:
                raise RuntimeError("server closed the connection")
            if event.type == "audio-chunk":
                chunk = AudioChunk.from_event(event)
                first = first or time.perf_counter() - t0
                samples += chunk.samples
                rate = chunk.rate
            elif event.type == end_type:
                return first or 0.0, time.perf_counter() - t0, samples / rate


def speech(voice: str, text: str) -> tuple[np.ndarray, int]:
    sys.path.insert(0, str(REPO / "tests"))
    from synth_helpers import flite_wav, piper_wav

    from assistant.audio.wav import read_wav_native

    path = piper_wav(text) if voice == "piper" else flite_wav(text, voice)
    return read_wav_native(path)


def conditions(x: np.ndarray, rate: int) -> dict[str, np.ndarray]:
    """Clean, faster (sox tempo 1.15), and with room noise at 15 dB SNR."""
    rng = np.random.default_rng(7)
    noisy = x.astype(np.float64)
    level = np.sqrt(np.mean(noisy ** 2)) / (10 ** (15 / 20))
    noisy = np.clip(noisy + rng.standard_normal(len(x)) * level, -32768, 32767).astype(np.int16)
    fast = subprocess.run(
        ["sox", "-t", "raw", "-r", str(rate), "-e", "signed", "-b", "16", "-c", "1", "-",
         "-t", "raw", "-", "tempo", "1.15"], input=x.astype("<i2").tobytes(),
        capture_output=True, check=True).stdout
    return {"clean": x, "fast": np.frombuffer(fast, "<i2").copy(), "noise15": noisy}


async def transcribe(port: int, x: np.ndarray, rate: int) -> tuple[str, float]:
    """Audio sent in real time (1024-sample chunks); audio-stop -> transcript seconds."""
    async with AsyncTcpClient("127.0.0.1", port) as client:
        await client.write_event(Transcribe(language="en").event())
        await client.write_event(AudioStart(rate=rate, width=2, channels=1).event())
        step = 1024
        start = time.perf_counter()
        for i in range(0, len(x), step):
            await client.write_event(AudioChunk(rate=rate, width=2, channels=1,
                                                audio=x[i:i + step].tobytes()).event())
            lag = start + (i + step) / rate - time.perf_counter()
            if lag > 0:
                await asyncio.sleep(lag)
        t0 = time.perf_counter()
        await client.write_event(AudioStop().event())
        while True:
            event = await client.read_event()
            if event is not None and event.type == "transcript":
                return event.data["text"], time.perf_counter() - t0


def in_process_final(recognizer, x: np.ndarray, rate: int) -> float:
    """The baseline: the same recognizer, all audio accepted, then the final words."""
    from assistant.audio.convert import to_loop_format

    y = to_loop_format(x, rate)
    recognizer.reset()
    for i in range(0, len(y), 1024):
        recognizer.accept(y[i:i + 1024])
    t0 = time.perf_counter()
    recognizer.final()
    return time.perf_counter() - t0


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def tts_table(hearth: Server, piper: Server, rounds: int) -> dict:
    rows: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for mode in ("plain", "streamed"):
        for port in (hearth.port, piper.port):  # warm up: first inference allocates
            asyncio.run(synthesize(port, "Warm up. Second sentence.", mode == "streamed"))
    for r in range(rounds):
        for i, text in enumerate(TEXTS):
            order = (hearth, piper) if (r + i) % 2 == 0 else (piper, hearth)
            for mode in ("plain", "streamed"):
                for server in order:
                    m = asyncio.run(synthesize(server.port, text, mode == "streamed"))
                    rows.setdefault((server.name, mode), []).append(m)
    out: dict = {}
    print(f"\nText to speech: {len(TEXTS)} multi-sentence texts x {rounds} rounds, joe voice, "
          "medians (ms)")
    print(f"{'mode':10} {'server':14} {'first audio':>12} {'total':>8} {'audio s':>8} "
          f"{'first vs piper':>15} {'total vs piper':>15}")
    for mode in ("plain", "streamed"):
        base = rows[("wyoming-piper", mode)]
        for name in ("hearth", "wyoming-piper"):
            m = rows[(name, mode)]
            first, total = med([a for a, _, _ in m]), med([b for _, b, _ in m])
            audio = med([c for _, _, c in m])
            r_first = first / med([a for a, _, _ in base])
            r_total = total / med([b for _, b, _ in base])
            out[f"{mode}/{name}"] = {"first_ms": round(first * 1000, 1),
                                     "total_ms": round(total * 1000, 1), "audio_s": round(audio, 2),
                                     "first_ratio": round(r_first, 3),
                                     "total_ratio": round(r_total, 3)}
            print(f"{mode:10} {name:14} {first * 1000:12.0f} {total * 1000:8.0f} {audio:8.2f} "
                  f"{r_first:14.2f}x {r_total:14.2f}x")
    streamed = out["streamed/hearth"]["first_ratio"]
    print(f"target: Hearth's streamed first audio <= 0.8x wyoming-piper's: "
          f"{streamed:.2f}x -> {'met' if streamed <= 0.8 else 'MISSED'}")
    return out


def asr_table(hearth: Server, rounds: int) -> dict:
    from assistant.asr.factory import make_recognizer
    from assistant.config import Config

    recognizer = make_recognizer(Config().asr)  # the baseline: the same engine, in-process
    latencies: dict[str, list[float]] = {}
    base: dict[str, list[float]] = {}
    right: dict[str, list[bool]] = {}
    for voice, text in COMMANDS:
        x, rate = speech(voice, text)
        for cond, y in conditions(x, rate).items():
            for _ in range(rounds):
                heard, seconds = asyncio.run(transcribe(hearth.port, y, rate))
                latencies.setdefault(cond, []).append(seconds)
                right.setdefault(cond, []).append(heard == text)
                base.setdefault(cond, []).append(in_process_final(recognizer, y, rate))
    print(f"\nSpeech to text: {len(COMMANDS)} commands (piper joe, flite slt/kal16/awb) x "
          f"{rounds} rounds, sent in real time; medians (ms)")
    print(f"{'condition':10} {'audio-stop -> transcript':>25} {'in-process final':>17} "
          f"{'ratio':>7} {'exact':>7}")
    out = {}
    for cond in latencies:
        lat, b = med(latencies[cond]), med(base[cond])
        exact = sum(right[cond]) / len(right[cond])
        out[cond] = {"latency_ms": round(lat * 1000, 1), "in_process_ms": round(b * 1000, 1),
                     "ratio": round(lat / b, 2), "exact": round(exact, 3)}
        print(f"{cond:10} {lat * 1000:25.0f} {b * 1000:17.0f} {lat / b:6.2f}x {exact:7.0%}")
    return out


def stt_corpus() -> Path:
    """Recordings with their transcripts, as wyoming-bench stt reads them."""
    folder = RESULTS / "wyoming-stt-corpus"
    folder.mkdir(parents=True, exist_ok=True)
    for i, (voice, text) in enumerate(COMMANDS):
        x, rate = speech(voice, text)
        with wave.open(str(folder / f"cmd_{i:02d}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(x.astype("<i2").tobytes())
        (folder / f"cmd_{i:02d}.txt").write_text(text + "\n")
    return folder


def run_bench(bin_dir: Path, hearth: Server, piper: Server, rounds: int) -> str:
    texts = RESULTS / "wyoming-texts.txt"
    texts.write_text("\n".join(TEXTS) + "\n")
    bench = str(bin_dir / "wyoming-bench")
    report = []
    for cmd in (
        [bench, "tts", "--texts-file", str(texts), "--rounds", str(rounds),
         f"127.0.0.1:{hearth.port}", f"127.0.0.1:{piper.port}"],
        [bench, "stt", "--corpus", str(stt_corpus()), "--rounds", str(rounds),
         f"127.0.0.1:{hearth.port}"],
    ):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        report.append(f"$ wyoming-bench {' '.join(cmd[1:])}\n{done.stdout}{done.stderr[-2000:]}")
    text = "\n".join(report)
    print("\n" + text)
    return text


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-bench", action="store_true", help="skip wyoming-bench")
    ap.add_argument("--json", metavar="OUT", default=str(RESULTS / "wyoming.json"))
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    bin_dir = ensure_venv()
    hearth_port, piper_port = free_port(), free_port()
    env = dict(os.environ)
    hearth = Server("hearth", [PYTHON, "-m", "assistant", "wyoming", "--uri",
                               f"tcp://127.0.0.1:{hearth_port}", "--wyoming-services", "asr,tts",
                               "--generation-enabled", "false"], hearth_port, env)
    piper = Server("wyoming-piper", [str(bin_dir / "wyoming-piper"), "--voice", "en_US-joe-medium",
                                     "--data-dir", str(joe_dir()), "--local-files-only", "--uri",
                                     f"tcp://127.0.0.1:{piper_port}"], piper_port)
    try:
        result = {"load": os.getloadavg()[0], "tts": tts_table(hearth, piper, args.rounds),
                  "asr": asr_table(hearth, args.rounds)}
        if not args.no_bench:
            result["wyoming_bench"] = run_bench(bin_dir, hearth, piper, args.rounds)
    finally:
        hearth.close()
        piper.close()
    result["load_after"] = os.getloadavg()[0]
    print(f"\nload average: {result['load']:.1f} at the start, {result['load_after']:.1f} at the "
          "end (2 cores; above ~2 means the machine was busy)")
    Path(args.json).write_text(json.dumps(result, indent=2))
    print(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
