#!/usr/bin/env bash
# Bootstrap: a private virtualenv holding hatch, then `hatch run ARGS…`.
# Needs only Python 3.11+. Used by the README's two commands and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
if [ ! -x .tools/bin/hatch ]; then
  "$python" -m venv .tools
  .tools/bin/python -m pip install --quiet --disable-pip-version-check "hatch>=1.16"
fi
exec .tools/bin/hatch run "$@"
