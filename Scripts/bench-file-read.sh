#!/usr/bin/env bash
# Benchmark: procscope reading a large capture (full decode + per-flow aggregation + JSON) against
# tcpdump -r FILE -w /dev/null and tshark's conversation statistics, in the same run. Prints packets per
# second and ratios. Not a test: it asserts nothing. Usage: Scripts/bench-file-read.sh [PACKETS] [FLOWS]
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
packets=${1:-2000000}; flows=${2:-50000}
mkdir -p bench-data
file=bench-data/bench-${packets}-${flows}.pcap
[ -f "$file" ] || python3 Scripts/make-bench-capture.py "$file" "$packets" "$flows"
swift build -c release --product procscope >/dev/null
procscope="$(swift build -c release --show-bin-path)/procscope"
cat "$file" > /dev/null # page cache warm for every contender

best() { # best wall time of 5 runs, in seconds
    local best=""
    for _ in 1 2 3 4 5; do
        local start end
        start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
        best=$(python3 -c "import sys; t=$end-$start; b='$best'; print(t if not b or t<float(b) else b)")
    done
    echo "$best"
}
# -Z root: tcpdump otherwise hands the file it writes (here /dev/null) to its unprivileged user.
t_tcpdump=$(best tcpdump -Z root -r "$file" -w /dev/null)
t_procscope=$(best "$procscope" capture -r "$file" --quiet --json /dev/null)
t_tshark=$(best tshark -r "$file" -q -z conv,tcp -z conv,udp)
python3 - "$packets" "$flows" "$t_tcpdump" "$t_procscope" "$t_tshark" <<'PY'
import sys
packets, flows = int(sys.argv[1]), int(sys.argv[2])
times = {"tcpdump -r FILE -w /dev/null": float(sys.argv[3]),
         "procscope capture -r FILE --json /dev/null": float(sys.argv[4]),
         "tshark -r FILE -q -z conv,tcp -z conv,udp": float(sys.argv[5])}
print(f"{packets} packets, {flows} flows (best of 5, page cache warm)")
for name, t in times.items():
    print(f"  {name:45s} {t:7.3f} s  {packets / t / 1e6:6.2f} Mpps")
tp, td, ts = times["procscope capture -r FILE --json /dev/null"], times["tcpdump -r FILE -w /dev/null"], times["tshark -r FILE -q -z conv,tcp -z conv,udp"]
print(f"  procscope / tcpdump = {tp / td:.2f}x    tshark / procscope = {ts / tp:.1f}x")
PY
