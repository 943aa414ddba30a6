"""Wake word: one streaming interface (``base.WakeDetector``), two engines (openWakeWord, pocketsphinx)."""
