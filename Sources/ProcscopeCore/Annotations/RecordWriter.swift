/// Builds the little-endian binary of procscope's pcapng records (`AnnotationRecord`): fixed-width integers,
/// and strings as a 32-bit length and UTF-8 bytes. Binary, not JSON, so the reader needs no parser.
struct RecordWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }

    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }

    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        bytes += utf8
    }

    /// A presence byte, then the string when present.
    mutating func optionalString(_ value: String?) {
        u8(value == nil ? 0 : 1)
        if let value { string(value) }
    }

    mutating func strings(_ values: [String]) {
        u32(UInt32(values.count))
        for value in values { string(value) }
    }

    mutating func endpoint(_ endpoint: Endpoint) {
        u64(endpoint.address.high)
        u64(endpoint.address.low)
        u16(endpoint.port)
    }
}
