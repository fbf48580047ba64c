/// A wall-clock instant in microseconds since the Unix epoch: what pcap headers carry and what the JSON
/// export prints (RFC 3339 with microseconds, UTC).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

    @inlinable public init(seconds: Int64, microseconds: Int64) {
        self.microseconds = seconds &* 1_000_000 &+ microseconds
    }

    public static let zero = Timestamp(microseconds: 0)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Microseconds from `earlier` to `self` (negative when `earlier` is later), saturating: a capture file
    /// may stamp frames anywhere in Int64's range, and a difference of two such stamps must not trap.
    @inlinable public func microseconds(since earlier: Timestamp) -> Int64 {
        let (difference, overflow) = microseconds.subtractingReportingOverflow(earlier.microseconds)
        guard overflow else { return difference }
        return earlier.microseconds < 0 ? .max : .min
    }

    /// The instants RFC 3339 can write (years 0001 to 9999): 0001-01-01T00:00:00Z and
    /// 9999-12-31T23:59:59.999999Z. A stamp outside (a corrupt or crafted file's) is written as the nearest.
    static let earliestWritten: Int64 = -62_135_596_800_000_000, latestWritten: Int64 = 253_402_300_799_999_999

    /// RFC 3339, e.g. `2026-11-21T12:29:55.358366Z`.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form to `bytes` (the JSON export writes one per conversation end).
    public func appendRFC3339<Sink: ByteSink>(to bytes: inout Sink) {
        // Clamped first: near Int64's ends the day arithmetic below would overflow (found by the fuzzer).
        let microseconds = Swift.min(Swift.max(self.microseconds, Self.earliestWritten), Self.latestWritten)
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        func field(_ value: Int64, _ width: Int, then separator: UInt8?) {
            UInt64(clamping: value).appendDecimal(to: &bytes, minimumDigits: width)
            if let separator { bytes.append(separator) }
        }
        field(year, 4, then: UInt8(ascii: "-"))
        field(month, 2, then: UInt8(ascii: "-"))
        field(day, 2, then: UInt8(ascii: "T"))
        field(secondOfDay / 3600, 2, then: UInt8(ascii: ":"))
        field(secondOfDay / 60 % 60, 2, then: UInt8(ascii: ":"))
        field(secondOfDay % 60, 2, then: UInt8(ascii: "."))
        field(micros, 6, then: UInt8(ascii: "Z"))
    }

    public var description: String { rfc3339 }

    /// Proleptic Gregorian date of a day count (Howard Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
