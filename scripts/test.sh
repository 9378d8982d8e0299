#!/usr/bin/env bash
# The whole test suite: install what is missing, build, run the Swift tests, then the
# integration tests that drive the real daemon binary over HTTP (Tests/Integration).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --tests
swift build --build-tests
# The media engine's tests (GStreamer, libnice, coturn) run in their own process: sharing one
# with the SANE, CUPS and HTTP suites, a run in several hung at thread exit (libc's allocator
# lock, seen with gdb) on this 2-core machine; apart, each is stable.
swift test --skip-build --skip MediaTests
swift test --skip-build --filter MediaTests
swift build --product guichet
GUICHET_BINARY="$PWD/.build/debug/guichet" python3 -m pytest -q Tests/Integration
