/// How long new flows waited for their owner (first frame to attribution), counted into fixed buckets as
/// Prometheus histograms count: each bucket holds the observations at or below its bound.
///
/// The bounds bracket the bar procscope holds itself to (a median under 0.5 ms) and what a host under load
/// may show: 50 us to 5 s.
public struct LatencyHistogram: Sendable, Equatable {
    /// Upper bounds, in microseconds.
    public static let boundsMicros: [UInt64] = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000, 100_000,
                                                 500_000, 1_000_000, 5_000_000]
    /// Observations per bucket (not cumulative; the last counts those above every bound).
    public private(set) var counts = [UInt64](repeating: 0, count: boundsMicros.count + 1)
    public private(set) var sumMicros: UInt64 = 0
    public private(set) var count: UInt64 = 0

    public init() {}

    public mutating func observe(micros: Int64) {
        let value = UInt64(max(0, micros))
        let bucket = Self.boundsMicros.firstIndex { value <= $0 } ?? Self.boundsMicros.count
        counts[bucket] &+= 1
        sumMicros &+= value
        count &+= 1
    }
}
