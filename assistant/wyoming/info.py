"""The ``info`` answer to ``describe``: what this server offers, by name, version and language."""

from __future__ import annotations

import importlib.metadata

from wyoming.info import (
    AsrModel,
    AsrProgram,
    Attribution,
    HandleModel,
    HandleProgram,
    Info,
    IntentModel,
    IntentProgram,
    TtsProgram,
    TtsVoice,
    WakeModel,
    WakeProgram,
)

from assistant.wyoming.engines import Engines

HEARTH = Attribution(name="Hearth", url="")  # no public home page to point at
SPHINX = Attribution(name="CMU Sphinx", url="https://github.com/cmusphinx/pocketsphinx")
OPENWAKEWORD = Attribution(name="David Scripka (openWakeWord)",
                           url="https://github.com/dscripka/openWakeWord")
PIPER = Attribution(name="rhasspy", url="https://github.com/rhasspy/piper")
ESPEAK = Attribution(name="eSpeak NG", url="https://github.com/espeak-ng/espeak-ng")
LANGUAGES = ["en"]


def version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def voice_language(synth: object) -> str:
    """A piper voice names its espeak-ng voice ("en-us"); as a locale that is "en_US"."""
    config = getattr(getattr(synth, "voice", None), "config", None)
    lang, _, region = (getattr(config, "espeak_voice", "") or "en-us").partition("-")
    return f"{lang}_{region.upper()}" if region else lang


def describe(engines: Engines) -> Info:
    """Every enabled service, each ``installed`` (it was loaded before the server started)."""
    c, on = engines.c, engines.services
    hearth_version = version("hearth-assistant")
    info = Info()
    if "asr" in on and c.recognizer is not None:
        info.asr = [AsrProgram(
            name="hearth-asr", attribution=HEARTH, installed=True, version=hearth_version,
            description="Hearth speech-to-text with the household's command language model",
            models=[AsrModel(name=c.recognizer.name, attribution=SPHINX, installed=True,
                             description=f"{c.recognizer.name} (English)",
                             version=version("pocketsphinx"), languages=LANGUAGES)],
            supports_transcript_streaming=True)]
    if "tts" in on:
        synth = c.synth
        voice_name = synth.name.removeprefix("piper:")
        piper = synth.name.startswith("piper:")
        info.tts = [TtsProgram(
            name="hearth-tts", attribution=HEARTH, installed=True, version=hearth_version,
            description="Hearth text-to-speech, streamed sentence by sentence",
            voices=[TtsVoice(
                name=voice_name, attribution=PIPER if piper else ESPEAK, installed=True,
                description=synth.name, version=version("piper-tts") if piper else None,
                languages=[voice_language(synth)])],
            supports_synthesize_streaming=True)]
    if "wake" in on:
        neural = engines.wake_engine == "openwakeword"
        info.wake = [WakeProgram(
            name="hearth-wake", attribution=HEARTH, installed=True, version=hearth_version,
            description=f"Hearth wake word ({engines.wake_engine})",
            models=[WakeModel(name=name, attribution=OPENWAKEWORD if neural else SPHINX,
                              installed=True, description=f'"{phrase}"',
                              version=version("pyopen-wakeword" if neural else "pocketsphinx"),
                              languages=LANGUAGES, phrase=phrase)
                    for name, phrase in engines.wake_names.items()])]
    understander = " ".join(filter(None, [getattr(c.understander, "name", "nlu"),
                                          getattr(c.understander, "version", "")]))
    if "handle" in on:
        info.handle = [HandleProgram(
            name="hearth-skills", attribution=HEARTH, installed=True, version=hearth_version,
            description="Hearth's skills: timers, alarms, reminders, lists, memory, maths, "
                        "conversions and open questions",
            models=[HandleModel(name="hearth", attribution=HEARTH, installed=True,
                                description=understander, version=hearth_version,
                                languages=LANGUAGES)],
            supports_handled_streaming=True)]
    if "intent" in on:
        info.intent = [IntentProgram(
            name="hearth-intent", attribution=HEARTH, installed=True, version=hearth_version,
            description="Hearth's intent and slot model",
            models=[IntentModel(name=getattr(c.understander, "name", "nlu"), attribution=HEARTH,
                                installed=True, description=understander,
                                version=hearth_version, languages=LANGUAGES)])]
    return info
