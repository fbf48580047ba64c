#!/usr/bin/env bash
# Benchmark: live capture under load, procscope beside tcpdump in the same run. Not a test: it asserts
# nothing, it prints figures. Three loads, each in network namespaces this script creates and deletes:
#   1. small UDP datagrams on loopback, as fast as one core sends them (procscope-testpeer udp-flood), captured
#      on lo, then on any (procscope's default; only tcpdump beside it there);
#   2. one bulk TCP connection across a veth pair (procscope-testpeer tcp-bulk);
#   3. connection churn on loopback: one client opening short connections back to back (procscope-testpeer
#      churn; CHURN_CONNECTIONS, default 20,000), its rate and each capture's CPU per connection.
# Each load runs with no capture, with tcpdump -w /dev/null (buffered, as tcpdump runs by default, and in
# --immediate-mode: each frame handed over at once), with nethogs in trace mode (-a -t -d 1: loopback allowed,
# refreshing each second), and with procscope capture --json; for each the sender's rate and
# the capture's packets and kernel drops are printed, with the sender's rate as a ratio to its rate beside
# buffered tcpdump and each capture's CPU time per million packets (medians of ROUNDS rounds, default 3,
# interleaved so a noisy machine affects every capture alike); then each capture's CPU on a quiet interface.
# Usage: sudo [ROUNDS=N] Scripts/bench-live.sh [SECONDS] [TCP_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
seconds=${1:-5}; tcp_bytes=${2:-4294967296}
swift build -c release --static-swift-stdlib --product procscope >/dev/null
swift build -c release --product procscope-testpeer >/dev/null
bin="$(swift build -c release --show-bin-path)"
work=$(mktemp -d)
a="psbench$$a"; b="psbench$$b"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$a"; ip netns add "$b"
ip -n "$a" link set lo up; ip -n "$b" link set lo up
ip link add "v$$a" netns "$a" type veth peer name "v$$b" netns "$b"
ip -n "$a" addr add 198.18.0.1/24 dev "v$$a"; ip -n "$b" addr add 198.18.0.2/24 dev "v$$b"
ip -n "$a" link set "v$$a" up; ip -n "$b" link set "v$$b" up

# start_capture NAME NAMESPACE INTERFACE FILTER: starts a capture in the background (none, tcpdump, procscope).
start_capture() {
    case "$1" in
        none) capture_pid="" ;;
        tcpdump) ip netns exec "$2" tcpdump -Z root -n -s 256 -B 65536 -i "$3" -w /dev/null "$4" 2>"$work/tcpdump.err" &
                 capture_pid=$!; pids+=("$capture_pid") ;;
        tcpdump-immediate)
                 ip netns exec "$2" tcpdump --immediate-mode -Z root -n -s 256 -B 65536 -i "$3" -w /dev/null "$4" \
                     2>"$work/tcpdump.err" &
                 capture_pid=$!; pids+=("$capture_pid") ;;
        nethogs) ip netns exec "$2" nethogs -a -t -d 1 "$3" >/dev/null 2>"$work/nethogs.err" &
                 capture_pid=$!; pids+=("$capture_pid") ;;
        procscope) ip netns exec "$2" "$bin/procscope" capture -i "$3" --quiet --json "$work/procscope.json" "$4" \
                       2>"$work/procscope.err" &
                   capture_pid=$!; pids+=("$capture_pid") ;;
    esac
    sleep 1.5 # the capture is open before the load starts
}

# cpu_seconds PID: the CPU time (user + system) a process has used so far.
cpu_seconds() {
    python3 -c "
import os, sys
fields = open(f'/proc/{sys.argv[1]}/stat').read().rsplit(')', 1)[1].split()
print((int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK'))" "$1" 2>/dev/null || echo 0
}

# stop_capture NAME: stops it as a user would (SIGINT); prints "CPU_SECONDS PACKETS KERNEL_DROPS" (nethogs
# reports neither: -1; its CPU per million packets is taken over what buffered tcpdump saw of the same load).
stop_capture() {
    [ -n "$capture_pid" ] || { echo "0 0 0"; return; }
    sleep 0.5
    cpu=$(cpu_seconds "$capture_pid")
    kill -INT "$capture_pid"; wait "$capture_pid" 2>/dev/null || true
    case "$1" in
        nethogs) echo "$cpu -1 -1" ;;
        tcpdump*) python3 - "$work/tcpdump.err" "$cpu" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def n(what):
    m = re.search(r"(\d+) packets? " + what, text)
    return int(m.group(1)) if m else -1
print(sys.argv[2], n('captured'), n('dropped by kernel'))
PY
        ;;
        procscope) python3 - "$work/procscope.json" "$cpu" <<'PY'
import json, sys
capture = json.load(open(sys.argv[1]))["capture"]
print(sys.argv[2], capture['packets'], capture['dropped']['kernel'])
PY
        ;;
    esac
}

# reap_capture: makes sure the capture just stopped is gone before the next one starts. stop_capture runs in
# a command substitution, a subshell, whose `wait` cannot wait for the parent's child: nethogs, which keeps
# running a while after SIGINT, was found still running (and using CPU) during the next capture's run, the
# procscope one in every load. Waited for here, in the parent; killed after 5 s.
reap_capture() {
    [ -n "$capture_pid" ] || return 0
    for _ in $(seq 50); do kill -0 "$capture_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$capture_pid" 2>/dev/null || true
    wait "$capture_pid" 2>/dev/null || true
}

rate() { # the sender's "sent packets=N bytes=B seconds=T" line as packets and bits per second, and packets
    python3 -c "
import sys
f = dict(kv.split('=') for kv in sys.argv[1].split()[1:])
print(int(f['packets']) / float(f['seconds']), int(f['bytes']) * 8 / float(f['seconds']), f['packets'])" "$1"
}

# stop_server PID: ends a server this script started, quietly.
stop_server() { kill -KILL "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# summary LOAD: the median of the rounds per capture, and the ratio of the sender's rate to its rate beside
# buffered tcpdump; CPU per million packets the capture took.
summary() {
    python3 - "$work/results" "$1" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.startswith(sys.argv[2] + " ")]
by = {}
for load, capture, pps, bps, sent, cpu, packets, drops in rows:
    by.setdefault(capture, []).append((float(pps), float(bps), float(cpu), int(packets), int(drops)))
# nethogs counts no packets: its CPU is taken over the packets buffered tcpdump saw of the same load.
seen = statistics.median(r[3] for r in by["tcpdump"])
for capture, runs in by.items():
    by[capture] = [(r[0], r[1], r[2], r[3] if r[3] >= 0 else seen, r[4]) for r in runs]
udp = sys.argv[2].startswith("udp")
rate = lambda r: r[0] if udp else r[1]
base = statistics.median(rate(r) for r in by["tcpdump"])
for capture in [c for c in ["none", "tcpdump", "tcpdump-immediate", "nethogs", "procscope"] if c in by]:
    runs = by[capture]
    median = statistics.median(rate(r) for r in runs)
    shown = f"{median / 1e6:.3f} Mpps" if udp else f"{median / 1e9:.2f} Gbit/s"
    line = f"  {capture:<18} {shown} sent (x{median / base:.2f} of beside tcpdump)"
    if capture != "none":
        cpu = statistics.median(r[2] for r in runs)
        packets = statistics.median(r[3] for r in runs)
        per = cpu / packets * 1e6 if packets > 0 else 0
        drops = max(r[4] for r in runs)
        line += f"; cpu {cpu:.2f} s ({per:.2f} s per million packets), {int(packets)} packets, " \
                f"kernel drops {drops if drops >= 0 else 'n/a'}"
    print(line)
PY
}

rounds=${ROUNDS:-3}
: > "$work/results"
# flood LOAD INTERFACE CAPTURES...: ROUNDS rounds of the loopback UDP flood captured on INTERFACE by each
# capture in turn, into the results under LOAD, then their summary.
flood() {
    local load=$1 interface=$2; shift 2
    for round in $(seq "$rounds"); do
        for capture in "$@"; do
            ip netns exec "$a" "$bin/procscope-testpeer" udp-sink 127.0.0.1 5400 120 >/dev/null &
            sink=$!; pids+=("$sink")
            start_capture "$capture" "$a" "$interface" "udp port 5400"
            line=$(ip netns exec "$a" "$bin/procscope-testpeer" udp-flood 127.0.0.1 5400 "$seconds" 18 | tail -1)
            echo "$load $capture $(rate "$line") $(stop_capture "$capture")" >> "$work/results"
            reap_capture
            stop_server "$sink"
        done
    done
    summary "$load"
}

echo "UDP flood on loopback, 18-byte datagrams to a socket that never reads, ${seconds} s per run, median of $rounds:"
flood udp lo none tcpdump tcpdump-immediate nethogs procscope
# The same flood captured on any, procscope's default interface (nethogs has no any; tcpdump -i any).
echo "UDP flood on loopback captured on any (procscope's default), ${seconds} s per run, median of $rounds:"
flood udpany any none tcpdump procscope

echo "Bulk TCP across a veth pair, $((tcp_bytes / 1048576)) MiB, capture on the receiver's side (snaplen 256), median of $rounds:"
for round in $(seq "$rounds"); do
    for capture in none tcpdump tcpdump-immediate nethogs procscope; do
        ip netns exec "$a" "$bin/procscope-testpeer" tcp-server 198.18.0.1 5401 120 >/dev/null &
        server=$!; pids+=("$server")
        start_capture "$capture" "$a" "v$$a" "tcp port 5401"
        line=$(ip netns exec "$b" "$bin/procscope-testpeer" tcp-bulk 198.18.0.1 5401 "$tcp_bytes" | tail -1)
        echo "tcp $capture $(rate "$line") $(stop_capture "$capture")" >> "$work/results"
        reap_capture
        stop_server "$server"
    done
done
summary tcp

connections=${CHURN_CONNECTIONS:-20000}
echo "Connection churn on loopback, $connections short TCP connections in a row from one client (connect, 100 bytes, reset), median of $rounds:"
for round in $(seq "$rounds"); do
    for capture in none tcpdump tcpdump-immediate nethogs procscope; do
        ip netns exec "$a" "$bin/procscope-testpeer" tcp-server 127.0.0.1 5403 120 >/dev/null &
        server=$!; pids+=("$server")
        start_capture "$capture" "$a" lo "tcp port 5403"
        # The capture's CPU over the churn alone (procscope's start-up, its eBPF programs and first /proc
        # pass, is left out: it is the same whatever the load).
        before=$([ -n "$capture_pid" ] && cpu_seconds "$capture_pid" || echo 0)
        started=$(date +%s.%N)
        ip netns exec "$a" "$bin/procscope-testpeer" churn 127.0.0.1 5403 "$connections" >/dev/null
        ended=$(date +%s.%N)
        after=$([ -n "$capture_pid" ] && cpu_seconds "$capture_pid" || echo 0)
        echo "churn $capture $started $ended $before $after $(stop_capture "$capture")" >> "$work/results"
        reap_capture
        stop_server "$server"
    done
done
python3 - "$work/results" "$connections" <<'PY'
import statistics, sys
connections = int(sys.argv[2])
by = {}
for line in open(sys.argv[1]):
    fields = line.split()
    if fields[0] != "churn": continue
    capture, started, ended, before, after, _, _, drops = fields[1:]
    by.setdefault(capture, []).append((connections / (float(ended) - float(started)),
                                       (float(after) - float(before)) / connections * 1e6, int(drops)))
base = statistics.median(r[0] for r in by["tcpdump"])
for capture in ["none", "tcpdump", "tcpdump-immediate", "nethogs", "procscope"]:
    runs = by[capture]
    rate = statistics.median(r[0] for r in runs)
    line = f"  {capture:<18} {rate:,.0f} connections/s (x{rate / base:.2f} of beside tcpdump)"
    if capture != "none":
        drops = max(r[2] for r in runs)
        line += f"; cpu {statistics.median(r[1] for r in runs):.0f} us per connection, " \
                f"kernel drops {drops if drops >= 0 else 'n/a'}"
    print(line)
PY

echo "Idle: CPU each capture uses in ${seconds} s on a quiet interface (no traffic):"
for capture in tcpdump nethogs procscope; do
    start_capture "$capture" "$a" lo "udp port 5402"
    before=$(cpu_seconds "$capture_pid")
    sleep "$seconds"
    after=$(cpu_seconds "$capture_pid")
    stop_capture "$capture" >/dev/null
    python3 -c "import sys; print(f'  {sys.argv[1]:<18} {float(sys.argv[3]) - float(sys.argv[2]):.3f} s')" "$capture" "$before" "$after"
done
