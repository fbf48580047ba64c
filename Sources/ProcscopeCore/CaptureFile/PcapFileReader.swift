/// Reads classic pcap (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html) from bytes already in
/// memory, both byte orders, micro- and nanosecond timestamps. Frames point into `bytes`: nothing is copied.
///
/// `next` is inlinable, and so is `CaptureFileReader.read` around it: reading a file ahead, the reader thread
/// calls them from another module for every frame, and called there, each frame went through the stack as a
/// returned `CapturedFrame` (a fifth of that thread's samples, stalled on reloading what `next` had stored).
public struct PcapFileReader {
    public let bytes: UnsafeRawBufferPointer
    public let linkType: LinkType
    public let snapLength: Int
    @usableFromInline let order: FileByteOrder
    @usableFromInline let resolution: TimestampResolution
    /// Where the next record header starts.
    public var offset: Int { position }
    @usableFromInline var position = 24

    /// The largest caplen libpcap accepts (MAXIMUM_SNAPLEN); anything larger is a damaged length field.
    @usableFromInline static let largestRecord = 262_144

    /// Whether `bytes` start with a classic pcap magic number.
    public static func recognizes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 4 else { return false }
        return magic(bytes.loadUnaligned(as: UInt32.self)) != nil
    }

    static func magic(_ value: UInt32) -> (swapped: Bool, resolution: TimestampResolution)? {
        switch value {
        case 0xA1B2_C3D4: return (false, .microseconds)
        case 0xD4C3_B2A1: return (true, .microseconds)
        case 0xA1B2_3C4D: return (false, .nanoseconds)
        case 0x4D3C_B2A1: return (true, .nanoseconds)
        default: return nil
        }
    }

    public init(_ bytes: UnsafeRawBufferPointer) throws(CaptureFileError) {
        guard bytes.count >= 4, let (swapped, resolution) = Self.magic(bytes.loadUnaligned(as: UInt32.self)) else {
            throw .notACaptureFile
        }
        guard bytes.count >= 24 else { throw .truncated(offset: 0, needed: 24, available: bytes.count) }
        self.bytes = bytes
        self.order = FileByteOrder(swapped: swapped)
        self.resolution = resolution
        snapLength = Int(order.u32(bytes, 16))
        // The upper bits of the link-type field carry FCS information (LINKTYPE_ values in the low 16 bits).
        linkType = LinkType(rawValue: Int32(order.u32(bytes, 20) & 0xFFFF))
    }

    /// The next frame, nil at the end of the file.
    @inlinable
    public mutating func next() throws(CaptureFileError) -> CapturedFrame? {
        let offset = position
        let remaining = bytes.count - offset
        if remaining == 0 { return nil }
        guard remaining >= 16 else { throw .truncated(offset: offset, needed: 16, available: remaining) }
        let captured = Int(order.u32(bytes, offset + 8))
        guard captured <= Self.largestRecord else { throw Self.oversizedRecord(captured, at: offset) }
        guard remaining >= 16 + captured else {
            throw .truncated(offset: offset, needed: 16 + captured, available: remaining)
        }
        let seconds = UInt64(order.u32(bytes, offset))
        let fraction = UInt64(order.u32(bytes, offset + 4))
        let ticksPerSecond: UInt64 = resolution == .nanoseconds ? 1_000_000_000 : 1_000_000
        let frame = CapturedFrame(
            bytes: UnsafeRawBufferPointer(rebasing: bytes[(offset + 16)..<(offset + 16 + captured)]),
            wireLength: Int(order.u32(bytes, offset + 12)),
            time: resolution.timestamp(ticks: seconds &* ticksPerSecond &+ fraction), interface: 0, flags: 0)
        position = offset + 16 + captured
        return frame
    }

    @usableFromInline static func oversizedRecord(_ captured: Int, at offset: Int) -> CaptureFileError {
        .corrupt(offset: offset, reason: "a record claims \(captured) captured bytes, more than the "
                 + "\(largestRecord) any capture holds")
    }
}
