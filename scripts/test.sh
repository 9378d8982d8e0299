#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run the Swift tests, then the
# integration tests that drive the real daemon binary over HTTP (Tests/Integration).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --tests
swift build --build-tests
swift test --skip-build
swift build --product guichet
GUICHET_BINARY="$PWD/.build/debug/guichet" python3 -m pytest -q Tests/Integration
