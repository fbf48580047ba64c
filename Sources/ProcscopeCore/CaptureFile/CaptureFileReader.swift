/// A capture file of either format, chosen by its magic number: what the file sources read frames through.
public enum CaptureFileReader {
    case pcap(PcapFileReader)
    case pcapng(PcapngFileReader)

    public init(_ bytes: UnsafeRawBufferPointer) throws(CaptureFileError) {
        if PcapngFileReader.recognizes(bytes) {
            self = .pcapng(try PcapngFileReader(bytes))
        } else {
            self = .pcap(try PcapFileReader(bytes))
        }
    }

    /// Whether `bytes` start like a capture file this reader understands.
    public static func recognizes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        PcapFileReader.recognizes(bytes) || PcapngFileReader.recognizes(bytes)
    }

    public var linkType: LinkType {
        switch self {
        case .pcap(let reader): return reader.linkType
        case .pcapng(let reader): return reader.linkType
        }
    }

    public var snapLength: Int {
        switch self {
        case .pcap(let reader): return reader.snapLength
        case .pcapng(let reader): return reader.snapLength
        }
    }

    /// How far into the file the next frame starts: everything before it has been read.
    public var offset: Int {
        switch self {
        case .pcap(let reader): return reader.offset
        case .pcapng(let reader): return reader.offset
        }
    }

    /// Calls `body` with up to `limit` frames; returns how many, or nil when the file had none left.
    /// Frames read before an error have been handed over when it is thrown. Inlinable: see `PcapFileReader`.
    @inlinable
    public mutating func read(limit: Int, _ body: (CapturedFrame) -> Void) throws(CaptureFileError) -> Int? {
        var delivered = 0
        switch self {
        case .pcap(var reader):
            defer { self = .pcap(reader) }
            while delivered < limit, let frame = try reader.next() {
                body(frame)
                delivered += 1
            }
        case .pcapng(var reader):
            defer { self = .pcapng(reader) }
            while delivered < limit, let frame = try reader.next() {
                body(frame)
                delivered += 1
            }
        }
        return delivered == 0 && limit > 0 ? nil : delivered
    }
}
