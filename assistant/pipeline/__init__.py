"""The loop: idle -> listening -> thinking -> speaking, with per-stage timestamps."""
