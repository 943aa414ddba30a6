"""One TOML config file, typed as dataclasses; every option can also be set by a CLI flag.

Unknown keys and wrong types are rejected with one line naming the key, so a typo in
``config.toml`` never silently falls back to a default.
"""

from __future__ import annotations

import argparse
import dataclasses
import tomllib
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from assistant import paths
from assistant.errors import ConfigError

# The choices of the options that pick an engine or a behaviour: a name outside them fails when
# the config loads, in one line (each room's registry maps the same names to builders).
AsrEngine = Literal["whisper", "pocketsphinx", "vosk"]
LanguageModel = Literal["domain", "general"]
WakeMode = Literal["wake_word", "push_to_talk", "always"]
WakeEngine = Literal["openwakeword", "pocketsphinx"]
VadEngine = Literal["silero", "energy"]
UnderstandingEngine = Literal["nlu", "keywords"]
TtsEngine = Literal["piper", "espeak"]
WyomingService = Literal["asr", "tts", "wake", "handle", "intent"]


@dataclass
class AudioConfig:
    input_device: str = ""  # sounddevice name or index; "" = system default
    output_device: str = ""
    sample_rate: int = 0  # microphone capture rate in Hz; 0 = 16000 if the device takes it, else its own
    block_ms: int = 30


@dataclass
class AsrConfig:
    # "whisper" (Whisper tiny.en: hears the most voices), "pocketsphinx" (bundled English: the
    # fallback when Whisper's model cannot load) or "vosk"
    engine: AsrEngine = "whisper"
    whisper_model: str = "whisper-tiny-en"  # installed model name or a CTranslate2 folder
    # the free decode's beam; its hypotheses all propose command sentences to steering (3 costs
    # ~10% more than greedy, benchmarks/asr.py --whisper)
    whisper_beam: int = 3
    whisper_threads: int = 1  # one Pi core; the loop and Wyoming share the model
    whisper_prompt_tokens: int = 120  # the household's words and list values; 0 = no prompt
    # Whisper decodes once the turn is over, starting in the speaker's first pause: its own text
    # of that pause ends the turn early when it is a complete command. On, pocketsphinx's command
    # LM also hears along for partial words (streamed to Wyoming clients, an earlier end when
    # they are complete): more CPU, and later in noise (benchmarks/pipeline.py --live)
    whisper_partials: bool = False
    # Whisper writes freely, then the nearest command sentences are scored on the same audio and
    # one is taken when the calibrated chance that it is what was said reaches grammar_threshold
    whisper_steer: bool = True
    # ... and Whisper also decodes along the command grammar, token by token, with this beam: it
    # finds the command where what it wrote is too far off to correct; 0 = only correct
    whisper_grammar_beam: int = 6
    # ... on this core, while the free decode runs on a second one (a Pi has four): the reply
    # comes sooner for the same work; false: one after the other, on one core
    whisper_side_by_side: bool = True
    vosk_model: str = ""  # vosk model folder or installed model name
    language_model: LanguageModel = "domain"  # pocketsphinx: "domain" (commands) or "general"
    extra_words: list[str] = field(default_factory=list)  # household words for the vocabulary
    # pocketsphinx: decode against the command grammar (the templates) alongside the domain LM;
    # off by default until it beats the domain LM on benchmarks/asr.py (it does not yet)
    grammar_first: bool = False
    # calibrated chance a grammar sentence is right to take it: at 0.5 Whisper's steering took
    # 1.2% of the calibration's speech that is no command, at 0.6 and 0.7 0.8%; taken from 0.6,
    # 95% were right (91% from 0.5, for 0.3 points more commands right)
    # (benchmarks/calibrate_whisper.py)
    grammar_threshold: float = 0.6
    # Whisper: from this calibrated chance up to grammar_threshold the grammar's likeliest
    # sentence, when it has no free text, is offered instead of what Whisper wrote, with this
    # chance, so under dialogue.confirm_below it is asked about ("did you mean ...?"), never
    # done. On the calibration set 3.4% of the commands were offered from 0.4, rightly 44% of
    # the time, where what Whisper wrote was right 11%; from 0.3, 5.3%, rightly 29%, and 0.4%
    # of the speech that was no command got such a question (none from 0.4; 1.2% from 0.2)
    # (benchmarks/calibrate_whisper.py)
    grammar_offer: float = 0.4


@dataclass
class WakeConfig:
    mode: WakeMode = "wake_word"  # "wake_word", "push_to_talk" or "always"
    engine: WakeEngine = "openwakeword"  # "openwakeword" (bundled models) or "pocketsphinx" (any phrase)
    # openWakeWord: bundled names (hey_jarvis, okay_nabu, hey_mycroft, alexa, hey_rhasspy) or
    # paths to .tflite files; several = any of them wakes Hearth
    model: list[str] = field(default_factory=lambda: ["hey_jarvis"])
    # openWakeWord: the score a frame must reach, and how many 80 ms frames in a row at it wake
    # Hearth; picked by `benchmarks/wake.py --sweep` on its tuning half (0.5 and 1 missed 15% of
    # the voices clean and 43% at 10 dB SNR, 0.2 and 2 missed 12% and 35%, at the same false
    # accepts: one in 2.3 h)
    threshold: float = 0.2
    trigger_level: int = 2
    phrase: str = ""  # pocketsphinx: the phrase to spot; "" = the first model's words ("hey jarvis")
    phrase_threshold: float = 1e-30  # pocketsphinx keyphrase threshold (hits are verified)
    follow_up_seconds: float = 6.0  # listen without wake word after a reply that asks something


@dataclass
class EndpointConfig:
    vad: VadEngine = "silero"  # "silero" (Silero VAD) or "energy" (level over the room's noise floor)
    speech_threshold: float = 0.5  # silero: speech probability that opens an utterance
    silence_threshold: float = 0.35  # silero: under this, once speech is open, a frame is a pause
    min_speech_ms: int = 90  # this much speech in a row opens an utterance (not a click)
    silence_ms: int = 700  # trailing silence that ends an utterance
    early_silence_ms: int = 150  # shorter wait when the partial already parses as a command
    early_confidence: float = 0.85
    max_utterance_s: float = 12.0
    no_speech_timeout_s: float = 6.0


@dataclass
class UnderstandingConfig:
    engine: UnderstandingEngine = "nlu"  # "nlu" (ONNX model) or "keywords" (the fallback matcher)
    model: str = ""  # model folder; "" = the live personalized model or the shipped one
    confirm_below: float = 0.55  # ask "did you mean ...?" under this confidence


@dataclass
class GenerationConfig:
    enabled: bool = True
    model: str = "smollm2-135m-onnx"
    max_new_tokens: int = 64
    max_seconds: float = 6.0
    threads: int = 2
    # loaded by the first open question, let go this long after the last: its ~200 MB are the
    # system's between questions, and the first question after a while waits for the load
    # (~0.3 s, benchmarks/generation.py); 0 = load at start and keep it
    unload_after_s: float = 600.0


@dataclass
class TtsConfig:
    engine: TtsEngine = "piper"  # "piper" or "espeak"
    voice: str = ""  # .onnx voice file or installed voice name; "" = bundled joe voice
    volume: float = 0.8
    length_scale: float = 1.0


@dataclass
class HistoryConfig:
    enabled: bool = True
    retention_days: int = 90
    store_audio: bool = False
    log_transcripts: bool = False


@dataclass
class PersonalizeConfig:
    enabled: bool = True
    keep_versions: int = 3
    max_base_drop: float = 0.5  # accuracy points the base test set may lose


@dataclass
class ServiceConfig:
    status_socket: str = ""  # "" = $RUNTIME_DIRECTORY/hearth.sock or data_dir()/hearth.sock
    watchdog: bool = True


@dataclass
class WyomingConfig:
    """``assistant wyoming``: Hearth's engines as Wyoming services (Home Assistant's protocol)."""

    uri: str = "tcp://127.0.0.1:10700"  # or unix://PATH; tcp://0.0.0.0:10700 lets other hosts in
    services: list[WyomingService] = field(
        default_factory=lambda: ["asr", "tts", "wake", "handle", "intent"])
    zeroconf: bool = False  # announce the server as _wyoming._tcp so Home Assistant finds it
    zeroconf_name: str = ""  # "" = hearth-<hostname>
    allow_subnets: list[str] = field(default_factory=list)  # besides loopback, in the service unit
    # handle and intent act on the household: on a bind other than loopback or a Unix socket
    # they need remote_handle = true and the clients (IPs or subnets) allowed to use them
    remote_handle: bool = False
    handle_clients: list[str] = field(default_factory=list)
    run_commands: bool = False  # custom intents' commands, when asked for by a Wyoming client
    max_connections: int = 20
    max_header_bytes: int = 65536  # one event's JSON header line (at most 65536)
    max_payload_bytes: int = 1048576  # one event's data part or binary payload (audio)
    max_audio_s: float = 60.0  # a speech-to-text stream longer than this is cut off
    idle_timeout_s: float = 60.0  # a client silent (or not reading) this long is disconnected


@dataclass
class Config:
    audio: AudioConfig = field(default_factory=AudioConfig)
    asr: AsrConfig = field(default_factory=AsrConfig)
    wake: WakeConfig = field(default_factory=WakeConfig)
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    understanding: UnderstandingConfig = field(default_factory=UnderstandingConfig)
    generation: GenerationConfig = field(default_factory=GenerationConfig)
    tts: TtsConfig = field(default_factory=TtsConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)
    personalize: PersonalizeConfig = field(default_factory=PersonalizeConfig)
    service: ServiceConfig = field(default_factory=ServiceConfig)
    wyoming: WyomingConfig = field(default_factory=WyomingConfig)


def default_path() -> Path:
    return paths.config_dir() / "config.toml"


def _coerce(key: str, typ: Any, value: Any) -> Any:
    """Check ``value`` against the field type; strings from flags are parsed."""
    origin = typing.get_origin(typ)
    if origin is list:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"config: {key} must be a list of strings, got {value!r}")
        (item,) = typing.get_args(typ)
        return [_coerce(key, item, v) for v in value]
    if origin is Literal:
        choices = typing.get_args(typ)
        if value not in choices:
            raise ConfigError(f"config: {key} must be one of {', '.join(choices)}, got {value!r}")
        return value
    if typ is bool:
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            return value.lower() in ("true", "yes", "1")
        if not isinstance(value, bool):
            raise ConfigError(f"config: {key} must be true or false, got {value!r}")
        return value
    if typ in (int, float):
        if isinstance(value, str):
            try:
                value = typ(value)
            except ValueError:
                raise ConfigError(f"config: {key} must be a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config: {key} must be a number, got {value!r}")
        if typ is int and not float(value).is_integer():
            raise ConfigError(f"config: {key} must be a whole number, got {value!r}")
        return typ(value)
    if not isinstance(value, str):
        raise ConfigError(f"config: {key} must be text, got {value!r}")
    return value


def _field_types(section: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(type(section))
    return {f.name: hints[f.name] for f in dataclasses.fields(section)}


def set_option(cfg: Config, dotted: str, value: Any) -> None:
    """Set ``section.key`` to ``value`` with type checking (used by the file and by flags)."""
    section_name, _, key = dotted.partition(".")
    section = getattr(cfg, section_name, None)
    if section is None or not dataclasses.is_dataclass(section) or not key:
        raise ConfigError(f"config: unknown section or key '{dotted}'")
    types = _field_types(section)
    if key not in types:
        raise ConfigError(f"config: unknown key '{dotted}' (known: {', '.join(types)})")
    setattr(section, key, _coerce(dotted, types[key], value))


def options(cfg: Config) -> list[tuple[str, Any]]:
    """Every ``section.key`` with its current value, in declaration order."""
    out = []
    for sec in dataclasses.fields(cfg):
        section = getattr(cfg, sec.name)
        for f in dataclasses.fields(section):
            out.append((f"{sec.name}.{f.name}", getattr(section, f.name)))
    return out


def load(path: Path | None = None) -> Config:
    """Load the config file (missing file = defaults); bad content raises one clear line."""
    path = path or default_path()
    cfg = Config()
    if not path.exists():
        return cfg
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config: {path} is not valid TOML: {e}") from None
    for section_name, section in data.items():
        if not isinstance(section, dict):
            raise ConfigError(f"config: '{section_name}' must be a [section], got a value")
        for key, value in section.items():
            set_option(cfg, f"{section_name}.{key}", value)
    return cfg


def to_toml(cfg: Config) -> str:
    """Render the config as TOML (for ``assistant config show``)."""
    lines: list[str] = []
    for sec in dataclasses.fields(cfg):
        lines.append(f"[{sec.name}]")
        section = getattr(cfg, sec.name)
        for f in dataclasses.fields(section):
            v = getattr(section, f.name)
            if isinstance(v, bool):
                s = "true" if v else "false"
            elif isinstance(v, str):
                s = '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
            elif isinstance(v, list):
                s = "[" + ", ".join(f'"{x}"' for x in v) + "]"
            else:
                s = repr(v)
            lines.append(f"{f.name} = {s}")
        lines.append("")
    return "\n".join(lines)


def set_options(cfg: Config, items: Iterable[str]) -> Config:
    """``--set`` overrides (``KEY=VALUE`` each) applied to ``cfg``, which is returned."""
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set needs KEY=VALUE, got '{item}'")
        set_option(cfg, key.strip(), value.strip())
    return cfg


def from_args(args: argparse.Namespace) -> Config:
    """The config file, then ``--set`` overrides, then per-option flags."""
    cfg = set_options(load(Path(args.config) if getattr(args, "config", None) else None),
                      getattr(args, "set", []) or [])
    for name, value in vars(args).items():
        if name.startswith("opt:") and value is not None:
            set_option(cfg, name[4:], value)
    return cfg
