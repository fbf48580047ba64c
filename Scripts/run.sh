#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run procscope's main job: the live per-process view
# (`procscope top`, q to quit). Without a terminal it captures on all interfaces for 10 seconds and prints
# who sent and received what instead. Arguments are passed on: `Scripts/run.sh capture -i lo --json -`.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
swift build -c release --static-swift-stdlib --product procscope
if [ "$#" -eq 0 ]; then
    if [ -t 0 ] && [ -t 1 ]; then set -- top; else set -- capture --duration 10; fi
fi
exec "$(swift build -c release --show-bin-path)/procscope" "$@"
