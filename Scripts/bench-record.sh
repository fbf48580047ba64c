#!/usr/bin/env bash
# Benchmark: `procscope record` (every conversation into SQLite) against `procscope capture --ndjson` (the
# same capture and folding, no database) and buffered tcpdump, under two loads in a network namespace this
# script creates and deletes. Not a test: it asserts nothing, it prints figures.
#   1. connection churn: COUNT short TCP connections in a row on loopback (procscope-testpeer churn), each a
#      client and a server conversation: the conversations procscope saw per second, the rows in the database
#      afterwards, the database's bytes per million conversations, kernel drops;
#   2. a UDP flood on loopback (one flow, as fast as one core sends): the sender's rate and kernel drops.
# Usage: sudo Scripts/bench-record.sh [COUNT] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
count=${1:-100000}; seconds=${2:-5}
swift build -c release --static-swift-stdlib --product procscope >/dev/null
swift build -c release --product procscope-testpeer >/dev/null
bin="$(swift build -c release --show-bin-path)"
work=$(mktemp -d)
ns="psrecord$$"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"; ip -n "$ns" link set lo up

# start NAME FILTER: a capture in the background (tcpdump, capture, record), open before the load starts.
start() {
    case "$1" in
        tcpdump) ip netns exec "$ns" tcpdump -Z root -n -s 256 -B 65536 -i lo -w /dev/null "$2" 2>"$work/err" & ;;
        capture) ip netns exec "$ns" "$bin/procscope" capture -i lo --quiet --ndjson /dev/null "$2" 2>"$work/err" & ;;
        record) rm -f "$work"/history.db*
                ip netns exec "$ns" "$bin/procscope" record -i lo --db "$work/history.db" "$2" 2>"$work/err" & ;;
    esac
    capture_pid=$!; pids+=("$capture_pid")
    sleep 1.5
}

# stop: SIGINT, and sets `drops` from what the capture said on stderr (not in a $(...) subshell: only this
# shell can wait for the capture to finish saying it).
stop() {
    kill -INT "$capture_pid"; wait "$capture_pid" 2>/dev/null || true
    drops=$(python3 -c "
import re, sys
m = re.search(r'(\d+) packets? dropped by kernel', open(sys.argv[1]).read())
print(m.group(1) if m else -1)" "$work/err")
}

echo "connection churn on loopback: $count short TCP connections in a row ($((count * 2)) conversations)"
for capture in tcpdump capture record; do
    ip netns exec "$ns" "$bin/procscope-testpeer" tcp-server 127.0.0.1 5410 600 >/dev/null &
    server=$!; pids+=("$server")
    start "$capture" "tcp port 5410"
    began=$(date +%s.%N)
    ip netns exec "$ns" "$bin/procscope-testpeer" churn 127.0.0.1 5410 "$count" >/dev/null
    ended=$(date +%s.%N)
    stop
    kill -KILL "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true
    line=$(python3 -c "print(f'  {\"$capture\":<8} {$count / ($ended - $began):8.0f} connections/s, kernel drops $drops')")
    if [ "$capture" = record ]; then
        line+=$(python3 - "$work/history.db" "$ended" "$began" <<'PY'
import os, sqlite3, sys
db = sys.argv[1]
rows = sqlite3.connect(db).execute("SELECT count(*) FROM conversations").fetchone()[0]
size = sum(os.path.getsize(db + suffix) for suffix in ("", "-wal", "-shm") if os.path.exists(db + suffix))
elapsed = float(sys.argv[2]) - float(sys.argv[3])
print(f"; {rows} conversations in the database ({rows / elapsed:.0f} per second of churn), "
      f"{size / 1e6:.1f} MB: {size / max(rows, 1) * 1e6 / 1e9:.2f} GB per million conversations")
PY
)
    fi
    echo "$line"
done

echo "UDP flood on loopback, 18-byte datagrams, $seconds s each"
for capture in tcpdump capture record; do
    ip netns exec "$ns" "$bin/procscope-testpeer" udp-sink 127.0.0.1 5411 120 >/dev/null &
    sink=$!; pids+=("$sink")
    start "$capture" "udp port 5411"
    sent=$(ip netns exec "$ns" "$bin/procscope-testpeer" udp-flood 127.0.0.1 5411 "$seconds" 18 | tail -1)
    stop
    kill -KILL "$sink" 2>/dev/null || true; wait "$sink" 2>/dev/null || true
    python3 -c "
import sys
f = dict(kv.split('=') for kv in sys.argv[1].split()[1:])
print(f'  {sys.argv[2]:<8} {int(f[\"packets\"]) / float(f[\"seconds\"]) / 1e6:.3f} Mpps sent, kernel drops {sys.argv[3]}')" \
        "$sent" "$capture" "$drops"
done
