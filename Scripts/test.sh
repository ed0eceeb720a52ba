#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what is missing, starts the throwaway Samba AD
# DC, checks formatting, builds and runs every test. Under CI=true a test that needs the DC fails if
# the DC is missing; it never skips.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/deps.sh
Scripts/dc.sh start
# In CI the machine is thrown away, but the DC must not outlive the run that started it.
if [ "${CI:-}" = true ]; then trap 'Scripts/dc.sh stop >/dev/null 2>&1 || true' EXIT; fi

echo "== swift-format lint" >&2
if ! swift-format lint --strict --recursive Sources Tests Benchmarks Package.swift; then
  echo "swift-format found issues: run 'swift-format -i -r Sources Tests Benchmarks Package.swift'" >&2
  exit 1
fi

echo "== build" >&2
swift build --build-tests

echo "== test" >&2
swift test --skip-build

# Microsoft's own clients (MSAL, azure-identity, msgraph-sdk from PyPI) against the emulator.
echo "== real Microsoft clients against the emulator" >&2
Scripts/python-clients.sh

# The unit targets (everything but IntegrationTests) once more under ThreadSanitizer, in a build
# folder of their own so the plain build above stays as it is.
echo "== unit tests under ThreadSanitizer" >&2
swift build --build-tests --sanitize=thread --scratch-path .build-tsan
swift test --skip-build --sanitize=thread --scratch-path .build-tsan --skip IntegrationTests
