/// Reads pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html) from bytes already in
/// memory: every section and its byte order, interface blocks with `if_tsresol`/`if_tsoffset`, enhanced,
/// simple and obsolete packet blocks, `epb_flags`, the process ids packets carry with Wireshark's process
/// information blocks (`WiresharkProcessTable`), Apple's process information blocks (`AppleProcessTable`);
/// other blocks are skipped. Frames point into `bytes`.
public struct PcapngFileReader {
    public let bytes: UnsafeRawBufferPointer
    /// The link type of the file's first interface; every interface must share it.
    public private(set) var linkType = LinkType.ethernet
    /// The snap length of the file's first interface.
    public private(set) var snapLength = 262_144
    /// Where the next block starts.
    public internal(set) var offset = 0
    var order = FileByteOrder(swapped: false)
    /// The interfaces of the current section.
    var interfaces: [Interface] = []
    /// The processes Apple's blocks name in the current section.
    public let appleProcesses = AppleProcessTable()
    /// The processes Wireshark's process information blocks describe in the current section.
    public let wiresharkProcesses = WiresharkProcessTable()

    struct Interface {
        var linkType: LinkType
        var snapLength: Int
        var resolution: TimestampResolution
    }

    enum BlockType {
        static let section: UInt32 = 0x0A0D_0D0A
        static let interface: UInt32 = 1
        static let obsoletePacket: UInt32 = 2
        static let simplePacket: UInt32 = 3
        static let interfaceStatistics: UInt32 = 5
        static let enhancedPacket: UInt32 = 6
    }

    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D

    /// Whether `bytes` start with a pcapng section header block.
    public static func recognizes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 4 && bytes.loadUnaligned(as: UInt32.self) == BlockType.section
    }

    public init(_ bytes: UnsafeRawBufferPointer) throws(CaptureFileError) {
        guard Self.recognizes(bytes) else { throw .notACaptureFile }
        self.bytes = bytes
        // Find the first interface without consuming anything: the link type is needed before any frame.
        var scan = self
        var first: Interface?
        while first == nil, scan.offset < bytes.count {
            let (type, body) = try scan.nextBlock()
            if type == BlockType.interface { first = try scan.interface(body) }
        }
        if let first {
            linkType = first.linkType
            snapLength = first.snapLength
        }
    }

    /// The next frame, nil at the end of the file.
    public mutating func next() throws(CaptureFileError) -> CapturedFrame? {
        while offset < bytes.count {
            let start = offset
            let (type, body) = try nextBlock()
            switch type {
            case BlockType.interface:
                let interface = try self.interface(body)
                guard interface.linkType == linkType else {
                    throw .mixedLinkTypes(first: linkType, other: interface.linkType)
                }
                interfaces.append(interface)
            case BlockType.enhancedPacket:
                guard body.count >= 20 else { throw .corrupt(offset: start, reason: "an enhanced packet block is too short") }
                let id = Int(order.u32(body, 0))
                let ticks = UInt64(order.u32(body, 4)) << 32 | UInt64(order.u32(body, 8))
                let captured = Int(order.u32(body, 12))
                guard id < interfaces.count else {
                    throw .corrupt(offset: start, reason: "a packet names interface \(id), which was not described")
                }
                guard captured <= body.count - 20 else {
                    throw .corrupt(offset: start, reason: "a packet claims \(captured) bytes, more than its block holds")
                }
                let dataEnd = 20 + captured + (-captured & 3)
                var flags: UInt32 = 0
                var comment = UnsafeRawBufferPointer(start: nil, count: 0)
                var annotation = comment
                var appleProcess: Int32 = -1
                var processID: Int32 = 0
                if dataEnd < body.count {
                    forEachOption(UnsafeRawBufferPointer(rebasing: body[dataEnd...])) { code, value in
                        if code == 1 && comment.isEmpty { comment = value } // the first (ptcpdump writes several)
                        if code == 2, value.count == 4 { flags = order.u32(value, 0) }
                        if code == WiresharkProcessBlock.packetProcessOption, value.count == 8 {
                            processID = Int32(bitPattern: order.u32(value, 0))
                        }
                        if code == AppleProcessTable.packetProcessOption, value.count == 4 {
                            appleProcess = Int32(truncatingIfNeeded: order.u32(value, 0))
                        }
                        if let own = procscopeValue(code, value), ProcscopeBlock.isPacketAnnotation(own) {
                            annotation = own
                        }
                    }
                }
                var frame = CapturedFrame(bytes: UnsafeRawBufferPointer(rebasing: body[20..<(20 + captured)]),
                                          wireLength: Int(order.u32(body, 16)),
                                          time: interfaces[id].resolution.timestamp(ticks: ticks), interface: id,
                                          flags: flags)
                frame.comment = comment
                frame.annotation = annotation
                frame.appleProcessIndex = appleProcess
                frame.processID = processID
                return frame
            case AppleProcessTable.blockType:
                guard body.count >= 4 else { throw .corrupt(offset: start, reason: "a process information block is too short") }
                var name = ""
                forEachOption(UnsafeRawBufferPointer(rebasing: body[4...])) { code, value in
                    if code == 2 { name = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self) }
                }
                appleProcesses.append(.init(pid: Int32(bitPattern: order.u32(body, 0)), name: name))
            case WiresharkProcessBlock.customBlockType, WiresharkProcessBlock.nonCopyableCustomBlockType:
                if let process = WiresharkProcessBlock.decode(body, order: order) { wiresharkProcesses.append(process) }
            case BlockType.simplePacket:
                guard body.count >= 4, !interfaces.isEmpty else {
                    throw .corrupt(offset: start, reason: "a simple packet block without an interface")
                }
                let wire = Int(order.u32(body, 0))
                var captured = min(wire, body.count - 4)
                if interfaces[0].snapLength > 0 { captured = min(captured, interfaces[0].snapLength) }
                return CapturedFrame(bytes: UnsafeRawBufferPointer(rebasing: body[4..<(4 + captured)]),
                                     wireLength: wire, time: .zero, interface: 0, flags: 0)
            case BlockType.obsoletePacket:
                guard body.count >= 20 else { throw .corrupt(offset: start, reason: "a packet block is too short") }
                let id = Int(order.u16(body, 0))
                let ticks = UInt64(order.u32(body, 4)) << 32 | UInt64(order.u32(body, 8))
                let captured = Int(order.u32(body, 12))
                guard id < interfaces.count, captured <= body.count - 20 else {
                    throw .corrupt(offset: start, reason: "a packet block names an undescribed interface or "
                                   + "claims more bytes than it holds")
                }
                return CapturedFrame(bytes: UnsafeRawBufferPointer(rebasing: body[20..<(20 + captured)]),
                                     wireLength: Int(order.u32(body, 16)),
                                     time: interfaces[id].resolution.timestamp(ticks: ticks), interface: id,
                                     flags: 0)
            default:
                continue
            }
        }
        return nil
    }

    /// Reads the block at `offset` and moves past it: its type and its body (between the length fields).
    /// A section header switches the byte order and starts a new interface list.
    mutating func nextBlock() throws(CaptureFileError) -> (UInt32, UnsafeRawBufferPointer) {
        let start = offset
        let remaining = bytes.count - start
        guard remaining >= 12 else { throw .truncated(offset: start, needed: 12, available: remaining) }
        let rawType = bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self)
        if rawType == BlockType.section {
            guard remaining >= 28 else { throw .truncated(offset: start, needed: 28, available: remaining) }
            switch bytes.loadUnaligned(fromByteOffset: start + 8, as: UInt32.self) {
            case Self.byteOrderMagic: order = FileByteOrder(swapped: false)
            case Self.byteOrderMagic.byteSwapped: order = FileByteOrder(swapped: true)
            default: throw .corrupt(offset: start, reason: "a section header has no byte-order magic")
            }
            interfaces.removeAll(keepingCapacity: true)
            appleProcesses.reset()
            wiresharkProcesses.reset()
        }
        let type = order.u32(bytes, start)
        let length = Int(order.u32(bytes, start + 4))
        guard length >= 12, length % 4 == 0 else {
            throw .corrupt(offset: start, reason: "a block claims a length of \(length) bytes")
        }
        guard length <= remaining else { throw .truncated(offset: start, needed: length, available: remaining) }
        guard Int(order.u32(bytes, start + length - 4)) == length else {
            throw .corrupt(offset: start, reason: "a block's trailing length differs from its leading one")
        }
        offset = start + length
        return (type, UnsafeRawBufferPointer(rebasing: bytes[(start + 8)..<(start + length - 4)]))
    }

    /// An interface description block's link type, snap length and timestamp resolution.
    func interface(_ body: UnsafeRawBufferPointer) throws(CaptureFileError) -> Interface {
        guard body.count >= 8 else { throw .corrupt(offset: offset, reason: "an interface block is too short") }
        var resolution = TimestampResolution.microseconds
        forEachOption(UnsafeRawBufferPointer(rebasing: body[8...])) { code, value in
            if code == 9, value.count >= 1 { resolution = TimestampResolution(tsresol: value[0], offsetSeconds: resolution.offsetSeconds) }
            if code == 14, value.count == 8 { resolution.offsetSeconds = Int64(bitPattern: order.u64(value, 0)) }
        }
        return Interface(linkType: LinkType(rawValue: Int32(order.u16(body, 0))),
                         snapLength: Int(order.u32(body, 4)), resolution: resolution)
    }

    /// Calls `body` with each option's code and value up to `opt_endofopt`; a malformed list is cut short.
    func forEachOption(_ options: UnsafeRawBufferPointer, _ body: (UInt16, UnsafeRawBufferPointer) -> Void) {
        Self.forEachOption(options, order: order, body)
    }

    /// The same, for options in another byte order than the section's (Wireshark's custom block entries).
    static func forEachOption(_ options: UnsafeRawBufferPointer, order: FileByteOrder,
                              _ body: (UInt16, UnsafeRawBufferPointer) -> Void) {
        var at = 0
        while at + 4 <= options.count {
            let code = order.u16(options, at)
            let length = Int(order.u16(options, at + 2))
            if code == 0 || at + 4 + length > options.count { return }
            body(code, UnsafeRawBufferPointer(rebasing: options[(at + 4)..<(at + 4 + length)]))
            at += 4 + length + (-length & 3)
        }
    }
}
