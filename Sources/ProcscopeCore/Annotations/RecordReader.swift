/// Reads what `RecordWriter` wrote, bounds-checked: every read returns nil past the end or on a length that
/// does not fit, so a damaged record is dropped rather than trusted.
struct RecordReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Whether everything was read (a field added to a record later is absent from older files).
    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }

    mutating func u8() -> UInt8? { take(1)?[0] }

    mutating func u16() -> UInt16? { take(2).map { UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self)) } }

    mutating func u32() -> UInt32? { take(4).map { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) } }

    mutating func u64() -> UInt64? { take(8).map { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } }

    mutating func i64() -> Int64? { u64().map { Int64(bitPattern: $0) } }

    mutating func string() -> String? {
        guard let count = u32(), let utf8 = take(Int(count)) else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// `.some(nil)` when absent, nil when damaged.
    mutating func optionalString() -> String?? {
        switch u8() {
        case 0: return .some(nil)
        case 1: return string().map { .some($0) }
        default: return nil
        }
    }

    mutating func strings() -> [String]? {
        guard let count = u32(), Int(count) <= bytes.count - offset else { return nil }
        var values: [String] = []
        for _ in 0..<count {
            guard let value = string() else { return nil }
            values.append(value)
        }
        return values
    }

    mutating func endpoint() -> Endpoint? {
        guard let high = u64(), let low = u64(), let port = u16() else { return nil }
        return Endpoint(address: IPAddress(high: high, low: low), port: port)
    }
}
