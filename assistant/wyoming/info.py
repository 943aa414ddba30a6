"""The ``info`` answer to ``describe``: what this server offers, by name, version and language."""

from __future__ import annotations

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

from assistant.about import About, package_version
from assistant.wyoming.engines import Engines

HEARTH = Attribution(name="Hearth", url="")  # no public home page to point at
LANGUAGES = ["en"]


def credit(about: About) -> Attribution:
    return Attribution(name=about.credit, url=about.url)


def describe(engines: Engines) -> Info:
    """Every enabled service, each ``installed`` (it was loaded before the server started)."""
    c, on = engines.c, engines.services
    hearth_version = package_version("hearth-assistant")
    info = Info()
    if "asr" in on and c.recognizer is not None:
        rec = c.recognizer
        info.asr = [AsrProgram(
            name="hearth-asr", attribution=HEARTH, installed=True, version=hearth_version,
            description="Hearth speech-to-text with the household's command vocabulary",
            models=[AsrModel(name=rec.about.model, attribution=credit(rec.about), installed=True,
                             description=rec.name, version=rec.about.version,
                             languages=list(rec.about.languages))],
            supports_transcript_streaming=True)]
    if "tts" in on:
        voice = c.synth.about
        info.tts = [TtsProgram(
            name="hearth-tts", attribution=HEARTH, installed=True, version=hearth_version,
            description="Hearth text-to-speech, streamed sentence by sentence",
            voices=[TtsVoice(
                name=voice.model, attribution=credit(voice), installed=True,
                description=c.synth.name, version=voice.version, languages=list(voice.languages))],
            supports_synthesize_streaming=True)]
    if "wake" in on and engines.wake_about is not None:
        wake = engines.wake_about
        info.wake = [WakeProgram(
            name="hearth-wake", attribution=HEARTH, installed=True, version=hearth_version,
            description=f"Hearth wake word ({engines.wake_engine})",
            models=[WakeModel(name=name, attribution=credit(wake), installed=True,
                              description=f'"{phrase}"', version=wake.version,
                              languages=list(wake.languages), phrase=phrase)
                    for name, phrase in engines.wake_names.items()])]
    understander = f"{c.understander.name} {c.understander.version}"
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
            models=[IntentModel(name=c.understander.name, attribution=HEARTH,
                                installed=True, description=understander,
                                version=hearth_version, languages=LANGUAGES)])]
    return info
