/// An IPv4 or IPv6 address in 16 bytes: IPv4 is held IPv4-mapped (`::ffff:a.b.c.d`, RFC 4291 2.5.5.2), so one
/// type serves both families, compares in network order, and hashes as two words on the hot path.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first and last eight address bytes as big-endian integers.
    public var high: UInt64
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its 32-bit value in host order (`0x7F000001` is 127.0.0.1).
    @inlinable public init(ipv4 value: UInt32) {
        self.high = 0
        self.low = 0x0000_FFFF_0000_0000 | UInt64(value)
    }

    /// An address from 4 or 16 network-order bytes; nil for any other count. Read in place, without copying
    /// the bytes into an array: every sock_diag answer and close event makes two. Inlinable, so the Linux
    /// layer's calls are specialized for their slices: unspecialized, the generic iteration was a tenth of
    /// procscope's time under connection churn (perf).
    @inlinable public init?(bytes: some Collection<UInt8>) {
        var high: UInt64 = 0, low: UInt64 = 0
        var count = 0
        for byte in bytes {
            guard count < 16 else { return nil }
            if count < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
            count += 1
        }
        switch count {
        case 4: self.init(ipv4: UInt32(truncatingIfNeeded: high))
        case 16: self.init(high: high, low: low)
        default: return nil
        }
    }

    public static let ipv4Any = IPAddress(ipv4: 0)
    public static let ipv6Any = IPAddress(high: 0, low: 0)
    public static let ipv4Loopback = IPAddress(ipv4: 0x7F00_0001)
    public static let ipv6Loopback = IPAddress(high: 0, low: 1)

    @inlinable public var isIPv4: Bool { high == 0 && (low >> 32) == 0xFFFF }

    /// The IPv4 value in host order; meaningful only when `isIPv4`.
    @inlinable public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// The unspecified address of its family (0.0.0.0 or ::).
    public var isUnspecified: Bool { self == .ipv4Any || self == .ipv6Any }

    /// 127.0.0.0/8 or ::1: always local, whatever the interface list says.
    public var isLoopback: Bool { isIPv4 ? (ipv4Value >> 24) == 127 : self == .ipv6Loopback }

    /// 169.254.0.0/16 or fe80::/10: the same on many links, so never proof of a network namespace.
    public var isLinkLocal: Bool { isIPv4 ? ipv4Value >> 16 == 0xA9FE : high >> 54 == 0x3FA }

    /// The 16 network-order bytes (IPv4-mapped for IPv4).
    public var bytes16: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// The address bytes as the kernel's sock_diag wants them: IPv4 in the first four bytes, then zeros.
    public var kernelBytes: [UInt8] {
        guard isIPv4 else { return bytes16 }
        let v = ipv4Value
        return [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8),
                UInt8(truncatingIfNeeded: v)] + [UInt8](repeating: 0, count: 12)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Dotted quad for IPv4; RFC 5952 compressed form for IPv6 (lower case, longest zero run as `::`).
    public var description: String {
        var text: [UInt8] = []
        text.reserveCapacity(39)
        appendText(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends `description`'s text to `bytes` without building a String (the JSON writer calls it twice
    /// per conversation).
    public func appendText<Sink: ByteSink>(to bytes: inout Sink) {
        if isIPv4 {
            let v = ipv4Value
            for shift in [24, 16, 8, 0] as [UInt32] {
                UInt64((v >> shift) & 0xFF).appendDecimal(to: &bytes)
                if shift != 0 { bytes.append(UInt8(ascii: ".")) }
            }
            return
        }
        @inline(__always) func group(_ i: Int) -> UInt16 {
            UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> (48 - 16 * UInt64(i % 4)))
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...8 {
            if i < 8 && group(i) == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                let length = i - runStart
                if length > bestLength && length >= 2 { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) {
            for i in range {
                if i != range.lowerBound { bytes.append(UInt8(ascii: ":")) }
                let value = group(i)
                var started = false
                for shift in stride(from: 12, through: 0, by: -4) {
                    let nibble = UInt8(truncatingIfNeeded: value >> UInt16(shift)) & 0xF
                    if nibble != 0 || started || shift == 0 {
                        bytes.append(nibble < 10 ? 48 + nibble : 87 + nibble)
                        started = true
                    }
                }
            }
        }
        if bestStart < 0 { return hex(0..<8) }
        hex(0..<bestStart)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: ":"))
        hex((bestStart + bestLength)..<8)
    }
}
