#!/usr/bin/env bash
# Create .venv and install the project into it. `scripts/install.sh test` adds the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
echo "==> installing planqa${extras} (torch==2.13.0 CPU, sentence-transformers, faiss-cpu, fugashi, gradio …)"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
# torch first and pinned, so no resolver step can pull a CUDA build
.venv/bin/python -m pip install -q --disable-pip-version-check "torch==2.13.0"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
