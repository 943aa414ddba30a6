"""Word error rate on real human recordings: Whisper tiny.en vs pocketsphinx's general LM.

The synthetic voices of ``asr.py`` are not people. Debian ships two sets of real recordings with
their transcripts (``../shared/README.md``): Asterisk's prompts by one professional US speaker
("Allison", 8 kHz telephone audio, upsampled to 16 kHz by ``read_wav``) and pocketsphinx's test
data (LibriVox read speech, a few spoken card names). None of it is a Hearth command, so this
measures hearing, not understanding: the general LM is today's recognizer for such speech.
Both transcripts and references go through ``values.written.spoken`` (what Hearth reads).

    apt-get install asterisk-core-sounds-en-wav asterisk-core-sounds-en pocketsphinx-testdata
    python benchmarks/real_speech.py [--limit 150] [--whisper-windows 1000,2000,3000]

``--whisper-windows`` adds a Whisper column per shortest encoder window (frames of 10 ms; the
default is ``whisper_decode.MIN_WINDOW``, 3000 is Whisper's own 30 s): a shorter window is
cheaper, and this is where it must hold.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)  # benchmarks/ last: its personalize.py would hide the package
sys.path.append(str(ROOT / "benchmarks"))

from hearing import ALLISON, allison  # noqa: E402

SPHINX_DATA = Path("/usr/share/pocketsphinx/test/data")


def sphinx_test_data() -> list[tuple[Path, str]]:
    """LibriVox and cards: ``<s> words </s> (id)`` transcripts beside their WAV files."""
    pairs = []
    for folder, transcripts in (("librivox", "transcription"), ("cards", "cards.transcription")):
        for line in (SPHINX_DATA / folder / transcripts).read_text().splitlines():
            m = re.match(r"\s*<s>(.*)</s>\s*\((.+)\)", line)
            if m:
                pairs.append((SPHINX_DATA / folder / f"{m.group(2).strip()}.wav", m.group(1)))
    return [(w, t) for w, t in pairs if w.is_file()]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=150,
                    help="Allison prompts of the reported half (0 = all 284; the calibration "
                         "hears the other half)")
    ap.add_argument("--whisper-windows", default="", help="Whisper again at these shortest windows")
    args = ap.parse_args(argv)
    if not ALLISON.is_dir() or not SPHINX_DATA.is_dir():
        raise SystemExit("error: install the recordings first: " + __doc__.split("\n\n")[-1])

    from assistant.asr.factory import make_recognizer
    from assistant.asr.vocabulary import Vocabulary
    from assistant.asr.wer import wer
    from assistant.audio.wav import read_wav
    from assistant.config import AsrConfig
    from assistant.values.written import spoken

    systems = {
        "pocketsphinx general LM": make_recognizer(
            AsrConfig(engine="pocketsphinx", language_model="general"), Vocabulary()),
        "whisper tiny.en": make_recognizer(AsrConfig(whisper_partials=False), Vocabulary()),
    }
    for frames in filter(None, args.whisper_windows.split(",")):
        rec = systems[f"whisper window {frames}"] = make_recognizer(AsrConfig(whisper_partials=False), Vocabulary())
        rec.decoder.min_window = int(frames)
    sets = {"allison (asterisk)": allison(args.limit), "pocketsphinx-testdata": sphinx_test_data()}
    print(f"{'set':<24}{'clips':>6}{'audio s':>9}" + "".join(f"{n:>26}" for n in systems))
    for set_name, pairs in sets.items():
        audio = [read_wav(w) for w, _ in pairs]
        refs = [spoken(t) for _, t in pairs]
        cells = []
        for rec in systems.values():
            hyps, t0 = [], time.process_time()
            for x in audio:
                rec.reset()
                for i in range(0, len(x), 480):
                    rec.accept(x[i:i + 480])
                hyps.append(spoken(rec.final().text))
            cpu = (time.process_time() - t0) / (sum(len(x) for x in audio) / 16000)
            cells.append(f"WER {wer(list(zip(refs, hyps, strict=True))):.3f} ({cpu:.2f} cpu/s)")
        seconds = sum(len(x) for x in audio) / 16000
        print(f"{set_name:<24}{len(pairs):>6}{seconds:>9.0f}" + "".join(f"{c:>26}" for c in cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
