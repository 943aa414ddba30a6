"""Speech recognition: one streaming interface (``base.Recognizer``), several engines."""
