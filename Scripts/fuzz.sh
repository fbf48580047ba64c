#!/usr/bin/env bash
# In-process fuzzing with libFuzzer: the frame decoder, the pcap/pcapng readers (with procscope's annotation
# records) through a session to the JSON, the netlink reply parsers and the /proc parsers (Fuzz/Targets/).
# Each target starts from the unit tests' fixtures that suit it and its own seeds under Fixtures/fuzz/<target>/, and
# runs for SECONDS; new inputs go to .build-fuzz/corpus/, crashes to .build-fuzz/crashes/<target>/.
# Prints each target's input count and crashes; exits 1 if any target crashed.
# Usage: Scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]   (default 15 s, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
seconds=${1:-15}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(frame-decoder capture-file netlink proc-tables metrics-request)
work=.build-fuzz
mkdir -p "$work/module"
binary=$work/procscope-fuzz

# The core and the Linux parsers in one module (they share no C edge): swiftc with the fuzzer's coverage
# and the address sanitizer. Rebuilt only when a source changed.
parsers=(Netlink/NetlinkMessage Netlink/InetDiagMessage Netlink/InetDiagAttributes Netlink/ConntrackMessage
         Netlink/PacketDiagMessage Proc/ProcNetSocketTable Proc/ProcNetPacketTable Proc/ProcessIdentityReader
         Proc/ProcFileSystem Proc/ContainerNameReader)
sources=($(find Sources/ProcscopeCore Fuzz -name '*.swift' | sort))
for parser in "${parsers[@]}"; do sources+=("Sources/ProcscopeLinux/$parser.swift"); done
cat > "$work/module/module.modulemap" <<MAP
module CCacheHints { header "$PWD/Sources/CCacheHints/include/cache_hints.h" export * }
MAP
if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" Sources/CCacheHints -newer "$binary" | head -1)" ]; then
    echo "building the fuzz targets (instrumented, about a minute)"
    # Warnings (the ignored self-imports, the sanitizer's local symbols) go to the log; errors are shown.
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name ProcscopeCore \
        -enforce-exclusivity=unchecked -I "$work/module" "${sources[@]}" -o "$binary" > "$work/build.log" 2>&1 \
        || { grep -A5 "error:" "$work/build.log" | head -60; exit 1; }
fi

max_length() { # bytes per input: what the target's real inputs measure, so no run parses megabytes
    case "$1" in
        frame-decoder) echo 4096 ;;   # headers: a few hundred bytes decide everything
        capture-file) echo 65536 ;;
        netlink) echo 16384 ;;        # procscope's receive buffer is 32 KiB; most replies are far smaller
        proc-tables) echo 8192 ;;
        metrics-request) echo 9000 ;; # the server reads at most 8 KiB
    esac
}

seeds() { # the unit tests' fixtures that suit a target, besides its own seeds
    case "$1" in
        capture-file) echo Fixtures/pcap ;;
        netlink) echo Fixtures/netlink ;;
        proc-tables) find Fixtures/proc -type d ;;
        *) ;;
    esac
}

failed=0
for target in "${targets[@]}"; do
    corpus=$work/corpus/$target crashes=$work/crashes/$target
    mkdir -p "$corpus" "$crashes"
    log=$work/$target.log
    # -rss_limit_mb: a reader that trusted a length field would allocate without bound.
    own=(); [ -d "Fixtures/fuzz/$target" ] && own=("Fixtures/fuzz/$target")
    PROCSCOPE_FUZZ_TARGET=$target "$binary" "$corpus" "${own[@]}" $(seeds "$target") \
        -max_total_time="$seconds" -max_len="$(max_length "$target")" -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$crashes/" \
        -print_final_stats=1 > "$log" 2>&1 || true
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    found=$(find "$crashes" -type f | wc -l)
    echo "$target: $runs inputs in ${seconds} s, $found crashes"
    if [ "$found" -gt 0 ]; then
        failed=1
        grep -m5 "ERROR\|Fatal error\|SUMMARY" "$log" || true
        find "$crashes" -type f | head -5
    fi
done
exit $failed
