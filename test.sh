#!/usr/bin/env bash
# Install everything the tests need (Python packages, Debian's chromium and a Japanese font)
# and run the whole suite, browser test included.
set -euo pipefail
cd "$(dirname "$0")"
PY=$(bash scripts/install.sh test)
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi ipa; then
  echo "==> installing Debian's chromium and a Japanese font for the browser test"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null
fi
echo "==> building the embedding model and the index (cached in \${PLANQA_HOME:-~/.cache/planqa})"
"$PY" -m index build
echo "==> running the tests"
exec "$PY" -m pytest "$@"
