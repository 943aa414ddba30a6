"""Dialogue history: every turn with its feedback, for ``assistant history`` and personalization."""
