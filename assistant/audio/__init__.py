"""Audio in and out: microphone / WAV / raw PCM sources, speaker / WAV / raw PCM sinks."""
