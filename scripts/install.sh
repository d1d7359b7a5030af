#!/usr/bin/env bash
# Install the project into the Python on PATH, so that `python -m qa`, `python -m ui` …
# work right away. Where that Python is externally managed (Debian's own), use .venv instead.
# `scripts/install.sh test` adds the test extras. Prints the interpreter to use.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
managed=$("$PY" -c 'import sysconfig, pathlib; print(int(pathlib.Path(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED").exists()))')
if [ "$managed" = "1" ] || [ -n "${PLANQA_VENV:-}" ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  PY=.venv/bin/python
fi
extras=""
[ "${1:-}" = "test" ] && extras="[test]"
echo "==> installing planqa${extras} into $("$PY" -c 'import sys; print(sys.prefix)') (torch==2.13.0 CPU, sentence-transformers, faiss-cpu, fugashi, gradio …)" >&2
# torch first and pinned, so no resolver step can pull a CUDA build
"$PY" -m pip install -q --disable-pip-version-check "torch==2.13.0" >&2
"$PY" -m pip install -q --disable-pip-version-check -e ".${extras}" >&2
echo "$PY"
