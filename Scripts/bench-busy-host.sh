#!/usr/bin/env bash
# Benchmark: owner lookup on a host shaped like a busy server. Not a test: it asserts nothing, it prints
# figures. For each background size (idle processes x 50 sockets each, made by procscope-testpeer crowd and
# ended by PID) it runs, in a network namespace it creates and deletes, procscope capture on the namespace's
# loopback while 200 TCP and 200 UDP clients send and exit at once, and a UDP port is reused by a second
# process right after the first exits; then prints the attributed fraction, first-packet-to-owner p50/p99
# and the bytes credited to a wrong process.
# Usage: sudo Scripts/bench-busy-host.sh [PROCESSES ...]      (default: 0 1000 3000)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
swift build -c release --static-swift-stdlib --product procscope >/dev/null
swift build -c release --product procscope-testpeer >/dev/null
bin="$(swift build -c release --show-bin-path)"
exec python3 Scripts/bench_busy_host.py "$bin" "${@:-0 1000 3000}"
