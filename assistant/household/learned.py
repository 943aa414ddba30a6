"""What a night's learning keeps of the history, and forgetting it with the turns.

Learning from turns leaves copies of them, whole or digested, beside the history:

* personalized model versions (``data_dir/nlu``, :mod:`versions`): top layers fine-tuned on
  them, each with ``household.json`` (the household's words and sentences);
* the nightly job's state and work folder (``data_dir/personalize``, ``personalize/job.py``):
  training sets made of them;
* caches rebuilt when needed: the job's encoded utterances (``cache_dir/personalize``,
  ``personalize/featstore.py``) and the language models and dictionaries compiled with the
  household's sentences and words (``cache_dir/asr``, ``asr/domain_lm.py``).

A model cannot un-learn one sentence, so forgetting any turns removes all of it: the shipped
model is live again and the next night learns afresh from what history is left.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assistant import paths
from assistant.household import versions


def _places() -> list[tuple[Path, str]]:
    return [
        (paths.data_dir() / "personalize", "the nightly job's work files"),
        (paths.cache_dir() / "personalize", "its cached features"),
        (paths.cache_dir() / "asr", "the language models built with the household's sentences "
                                    "(rebuilt without them when needed)"),
    ]


def forget_learned() -> list[str]:
    """Remove everything learned from the history; what was removed, as phrases for a person."""
    removed = []
    n = len(versions.list_versions())
    if versions.nlu_root().exists():
        shutil.rmtree(versions.nlu_root())
        removed.append(f"{n} personalized model version{'s' * (n != 1)} with the household's "
                       "words (the shipped model is live again)")
    for folder, what in _places():
        if folder.exists():
            shutil.rmtree(folder)
            removed.append(what)
    return removed
