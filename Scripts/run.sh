#!/usr/bin/env bash
# Quick start 1: install what is missing, build, and run procscope's main job: capture on all interfaces
# and print who sent and received what. Arguments are passed on (default: 10 seconds on 'any').
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
swift build -c release --product procscope
if [ "$#" -eq 0 ]; then set -- capture --duration 10; fi
exec "$(swift build -c release --show-bin-path)/procscope" "$@"
