#!/usr/bin/env bash
# Install, build the model and index if missing, and serve the web chat on http://127.0.0.1:7860
set -euo pipefail
cd "$(dirname "$0")"
PY=$(bash scripts/install.sh)
exec "$PY" -m ui "$@"
