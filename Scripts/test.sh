#!/usr/bin/env bash
# Quick start 2: the whole test suite. Unit tests read Fixtures/; integration tests (root) create network
# namespaces, start their own clients and servers, capture with the release build and check the PIDs.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
swift build -c release
export PROCSCOPE_BIN_DIR="$(swift build -c release --show-bin-path)"
swift test
