"""Hearth: an offline voice assistant. audio -> asr -> understanding -> skills -> tts."""

__version__ = "0.1.0"
