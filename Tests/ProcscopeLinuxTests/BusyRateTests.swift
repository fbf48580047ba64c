@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// The live loop's frame-rate judgement: busy above one rate, calm only below a lower one.
@Suite struct BusyRateTests {
    /// Feeds `perSecond` events a second, one note a millisecond, for `windows` windows of 100 ms from `start`;
    /// returns the last answer and the next start.
    static func feed(_ rate: inout BusyRate, perSecond: Int, windows: Int, from start: Int64) -> (Bool, Int64) {
        var busy = rate.isBusy, time = start
        for _ in 0..<(windows * 100) {
            time += 1000
            busy = rate.note(perSecond / 1000, at: Timestamp(microseconds: time))
        }
        return (busy, time)
    }

    @Test("Busy after a window above the upper rate, still busy between the two, calm after a window below the lower")
    func busyWithHysteresis() {
        var rate = BusyRate(above: 10_000, below: 5_000)
        var (busy, time) = Self.feed(&rate, perSecond: 4_000, windows: 3, from: 0)
        #expect(!busy)
        (busy, time) = Self.feed(&rate, perSecond: 8_000, windows: 3, from: time)
        #expect(!busy) // between the bounds, from calm: stays calm
        (busy, time) = Self.feed(&rate, perSecond: 20_000, windows: 2, from: time)
        #expect(busy)
        (busy, time) = Self.feed(&rate, perSecond: 8_000, windows: 3, from: time)
        #expect(busy) // between the bounds, from busy: stays busy
        (busy, time) = Self.feed(&rate, perSecond: 2_000, windows: 2, from: time)
        #expect(!busy)
    }

    @Test("A window is judged only once it has lasted its length")
    func judgedOnlyAtTheWindowsEnd() {
        var rate = BusyRate(above: 10, below: 5, windowMicros: 1_000_000)
        let first = rate.note(1_000, at: Timestamp(microseconds: 0))
        let beforeTheEnd = rate.note(1_000, at: Timestamp(microseconds: 999_999))
        let atTheEnd = rate.note(0, at: Timestamp(microseconds: 1_000_000))
        #expect(!first && !beforeTheEnd && atTheEnd)
    }
}
