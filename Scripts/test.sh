#!/usr/bin/env bash
# Quick start 2: the whole test suite. Unit tests read Fixtures/; integration tests (root) create network
# namespaces, start their own clients and servers, capture with the release build and check the PIDs.
# Everything is built once, optimized (with testing enabled for the @testable help-text tests): a debug test
# runner spawning hundreds of clients loads the machine enough to slow the latencies it measures.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
flags=(-c release -Xswiftc -enable-testing)
swift build "${flags[@]}" --build-tests
export PROCSCOPE_BIN_DIR="$(swift build "${flags[@]}" --show-bin-path)"
export PATH="$PWD/.build/tools/usr/bin:$PATH" # prometheus and promtool (install-deps.sh)
swift test "${flags[@]}" --skip-build "$@"
