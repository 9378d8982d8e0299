#!/usr/bin/env bash
# The main job: install what is missing, build, and run the daemon on the demo structure.
# Extra arguments go to `guichet serve` (for example --port 8081 or --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build -c release --product guichet
exec .build/release/guichet serve "$@"
