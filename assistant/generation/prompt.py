"""The chat prompt: SmolLM2's ChatML turns with a short system prompt for a kitchen speaker.

The system turn is split from the question turn so the generator can compute the system
turn's KV cache once and start every answer from it (only the question is prefilled).
"""

from __future__ import annotations

from collections.abc import Iterable

SYSTEM_PROMPT = ("You are a helpful voice assistant in a kitchen. Keep answers short: one or two "
                 "spoken sentences, no lists, no markdown.")
MAX_QUESTION_CHARS = 1000  # a spoken question is far shorter; keeps the prompt well inside context


def system_turn(system: str = SYSTEM_PROMPT) -> str:
    return f"<|im_start|>system\n{system}<|im_end|>\n"


def spoken_to_written(text: str) -> str:
    """ASR text is lower case without punctuation; small models mirror that in their answer,
    so the question is given a capital and a question mark as a person would type it."""
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "?"


def question_turn(question: str, specials: Iterable[str] = ()) -> str:
    """The user turn and the opening of the answer. Special-token strings typed by a user are
    removed so a question cannot close its own turn or fake a system message."""
    question = spoken_to_written(question.strip()[:MAX_QUESTION_CHARS])
    for token in specials:
        question = question.replace(token, "")
    return f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def chat_prompt(question: str, specials: Iterable[str] = (), system: str = SYSTEM_PROMPT) -> str:
    """The whole ChatML prompt for one question."""
    return system_turn(system) + question_turn(question, specials)
