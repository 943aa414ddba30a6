"""Nightly personalization: history -> household training set -> fine-tuned, gated, versioned NLU.

``python -m personalize run`` (or ``assistant personalize run``); see ``job.py`` for the steps.
"""
