#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian's chromium) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh test
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium for the browser test"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
echo "==> building the embedding model and the index (cached in \${PLANQA_HOME:-~/.cache/planqa})"
.venv/bin/python -m index build
echo "==> running the tests"
exec .venv/bin/python -m pytest "$@"
