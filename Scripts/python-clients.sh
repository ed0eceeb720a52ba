#!/bin/bash
# Runs Tests/Python/test_real_clients.py: MSAL, azure-identity and msgraph-sdk (pinned in
# Tests/Python/requirements.txt, installed from PyPI into a venv under .build) against the
# tenant emulator over https. Exits non-zero when a test fails; prints pytest's summary line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
swift build --product anchorbridge-emulator >/dev/null
bin=$(swift build --show-bin-path)/anchorbridge-emulator
venv=${PYTHON_CLIENTS_VENV:-$root/.build/python-clients-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/Python/requirements.txt
EMULATOR_BIN=$bin "$venv/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning Tests/Python/test_real_clients.py
