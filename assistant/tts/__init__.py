"""Speech output: ``base.Synthesizer`` streams audio sentence by sentence."""
