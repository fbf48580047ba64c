/// How a capture file counts time: ticks per second as a power of ten or of two (pcapng `if_tsresol`,
/// classic pcap's micro/nanosecond magic), plus a whole-second offset (`if_tsoffset`).
public struct TimestampResolution: Sendable, Equatable {
    /// 6 for microseconds, 9 for nanoseconds; with `binary`, the power of two.
    public var exponent: UInt8
    public var binary: Bool
    public var offsetSeconds: Int64

    public static let microseconds = TimestampResolution(exponent: 6, binary: false, offsetSeconds: 0)
    public static let nanoseconds = TimestampResolution(exponent: 9, binary: false, offsetSeconds: 0)

    public init(exponent: UInt8, binary: Bool, offsetSeconds: Int64) {
        self.exponent = exponent
        self.binary = binary
        self.offsetSeconds = offsetSeconds
    }

    /// The pcapng `if_tsresol` byte: high bit set for a power of two.
    public init(tsresol: UInt8, offsetSeconds: Int64 = 0) {
        self.init(exponent: tsresol & 0x7F, binary: tsresol & 0x80 != 0, offsetSeconds: offsetSeconds)
    }

    /// A tick count as procscope's microsecond timestamp (truncated, as libpcap does).
    @inlinable public func timestamp(ticks: UInt64) -> Timestamp {
        let offset = offsetSeconds &* 1_000_000
        if !binary && exponent == 6 { return Timestamp(microseconds: Int64(bitPattern: ticks) &+ offset) }
        if binary {
            let shift = UInt64(min(exponent, 63))
            let seconds = ticks >> shift
            let fraction = ticks & ((1 << shift) &- 1)
            let micros = shift > 43 ? (fraction >> (shift - 43)) &* 1_000_000 >> 43 : fraction &* 1_000_000 >> shift
            return Timestamp(microseconds: Int64(bitPattern: seconds &* 1_000_000 &+ micros) &+ offset)
        }
        if exponent > 6 {
            var divisor: UInt64 = 1
            for _ in 6..<min(exponent, 25) { divisor &*= 10 }
            return Timestamp(microseconds: Int64(bitPattern: ticks / divisor) &+ offset)
        }
        var factor: UInt64 = 1
        for _ in exponent..<6 { factor &*= 10 }
        return Timestamp(microseconds: Int64(bitPattern: ticks &* factor) &+ offset)
    }
}
