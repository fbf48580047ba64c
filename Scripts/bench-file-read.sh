#!/usr/bin/env bash
# Benchmark: procscope reading a large capture (full decode + per-flow aggregation + JSON) against
# tcpdump -r FILE -w /dev/null and tshark's conversation statistics, in the same run, at each flow count.
# Prints wall times (best of 5; tshark, 100x slower, once), ratios, procscope's peak resident memory reading
# the file from a pipe (so the mapping does not count), and the memory each further conversation costs.
# Not a test: it asserts nothing. Usage: Scripts/bench-file-read.sh [PACKETS] [FLOWS...]
#   (default: 2000000 packets, at 1000 and at 50000 flows)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
packets=${1:-2000000}; shift || true
flow_counts=("$@"); [ ${#flow_counts[@]} -gt 0 ] || flow_counts=(1000 50000)
swift build -c release --static-swift-stdlib --product procscope >/dev/null
procscope="$(swift build -c release --show-bin-path)/procscope"
mkdir -p bench-data

seconds() { # wall time of one run, in seconds
    local start end
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}
best() { # best wall time of 5 runs
    local times=()
    for _ in 1 2 3 4 5; do times+=("$(seconds "$@")"); done
    python3 -c "import sys; print(min(map(float, sys.argv[1:])))" "${times[@]}"
}
peak_kib() { # peak resident memory of procscope reading $1 from a pipe, with --json
    /usr/bin/time -f %M sh -c 'exec "$0" capture -r - --quiet --json /dev/null < "$1"' "$procscope" "$1" 2>&1 >/dev/null | tail -1
}

results=()
for flows in "${flow_counts[@]}"; do
    file=bench-data/bench-${packets}-${flows}.pcap
    [ -f "$file" ] || python3 Scripts/make-bench-capture.py "$file" "$packets" "$flows"
    cat "$file" > /dev/null # page cache warm for every contender
    # -Z root: tcpdump otherwise hands the file it writes (here /dev/null) to its unprivileged user.
    t_tcpdump=$(best tcpdump -Z root -r "$file" -w /dev/null)
    t_procscope=$(best "$procscope" capture -r "$file" --quiet --json /dev/null)
    t_tshark=$(seconds tshark -r "$file" -q -z conv,tcp -z conv,udp)
    conversations=$("$procscope" capture -r "$file" --quiet --json - 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
print(sum(len(p['conversations']) for p in d['processes']) + len(d['unknown']['conversations']))")
    peak=$(peak_kib "$file")
    results+=("$flows $t_tcpdump $t_procscope $t_tshark $conversations $peak")
done

python3 - "$packets" "${results[@]}" <<'PY'
import sys
packets = int(sys.argv[1])
rows = [line.split() for line in sys.argv[2:]]
for flows, td, tp, ts, conversations, peak in rows:
    td, tp, ts = float(td), float(tp), float(ts)
    print(f"{packets} packets, {flows} flows (best of 5, tshark once; page cache warm)")
    for name, t in (("tcpdump -r FILE -w /dev/null", td), ("procscope capture -r FILE --json /dev/null", tp),
                    ("tshark -r FILE -q -z conv,tcp -z conv,udp", ts)):
        print(f"  {name:45s} {t:7.3f} s  {packets / t / 1e6:6.2f} Mpps")
    print(f"  procscope / tcpdump = {tp / td:.2f}x    tshark / procscope = {ts / tp:.1f}x")
    print(f"  procscope peak resident, from a pipe with --json: {int(peak) / 1024:.1f} MiB for {conversations} conversations")
if len(rows) >= 2:
    (_, _, _, _, c0, p0), (_, _, _, _, c1, p1) = rows[0], rows[-1]
    if int(c1) != int(c0):
        print(f"memory per further conversation (JSON included): {(int(p1) - int(p0)) * 1024 / (int(c1) - int(c0)):.0f} bytes")
PY
