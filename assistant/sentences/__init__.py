"""Sentence templates (Home Assistant's language, via hassil): Hearth's intents and custom ones."""
