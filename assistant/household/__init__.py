"""What this household taught the assistant: the live personalized model and the household's
words, read at run time (the nightly job in ``personalize/`` writes them)."""
