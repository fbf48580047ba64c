import Glibc
import ProcscopeCore

extension Timestamp {
    /// The wall-clock time of a CLOCK_MONOTONIC reading (what eBPF's ktime_get_ns stamps), converted through
    /// "now" on both clocks: frames carry the wall clock.
    init(monotonicNanoseconds: UInt64) {
        var monotonic = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        let nowNs = Int64(monotonic.tv_sec) * 1_000_000_000 + Int64(monotonic.tv_nsec)
        let agoMicros = (nowNs - Int64(bitPattern: monotonicNanoseconds)) / 1000
        self.init(microseconds: wallClockNow().microseconds - agoMicros)
    }
}
