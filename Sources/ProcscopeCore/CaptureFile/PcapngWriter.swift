/// Writes pcapng blocks (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html) in little-endian
/// order: a section header naming procscope, interface descriptions, and enhanced packet blocks with
/// `epb_flags` (direction) and an `opt_comment` (procscope's annotation: who sent or received the packet),
/// which Wireshark and tshark show as the frame comment, custom options for procscope's own tables
/// (`ProcscopeBlock`), and interface statistics. libpcap writes only classic pcap, hence our own.
public enum PcapngWriter {
    public static func sectionHeader(application: String) -> [UInt8] {
        var body: [UInt8] = []
        append32(0x1A2B_3C4D, to: &body)
        append16(1, to: &body)
        append16(0, to: &body)
        body += [UInt8](repeating: 0xFF, count: 8) // section length: not specified
        body += options([(4, Array(application.utf8))]) // shb_userappl
        return block(0x0A0D_0D0A, body)
    }

    /// An interface description: link type, snap length, its name, the capture filter when there was one, and
    /// `if_tsresol` 9 for nanosecond stamps (microseconds are the default, said by leaving it out).
    public static func interface(linkType: LinkType, snapLength: Int, name: String, filter: String? = nil,
                                 precision: TimestampPrecision = .micro) -> [UInt8] {
        var body: [UInt8] = []
        append16(UInt16(truncatingIfNeeded: linkType.rawValue), to: &body)
        append16(0, to: &body)
        append32(UInt32(clamping: snapLength), to: &body)
        var list: [(UInt16, [UInt8])] = [(2, Array(name.utf8))] // if_name
        if let filter { list.append((11, [0] + Array(filter.utf8))) } // if_filter, 0: a libpcap filter string
        if precision != .micro { list.append((9, [precision.tsresol])) } // if_tsresol
        body += options(list)
        return block(1, body)
    }

    /// Custom options under one `code`, one per value, each value prefixed with the enterprise number.
    public struct CustomOptions {
        public var code: UInt16
        public var enterprise: UInt32
        public var values: [[UInt8]]

        public init(code: UInt16, enterprise: UInt32, values: [[UInt8]]) {
            self.code = code
            self.enterprise = enterprise
            self.values = values
        }

        var list: [(UInt16, [UInt8])] {
            values.map { value in
                var prefixed: [UInt8] = []
                append32(enterprise, to: &prefixed)
                return (code, prefixed + value)
            }
        }
    }

    /// An interface statistics block for `interface` taken at `time`: the capture's start and end, the
    /// drops by the interface and by the kernel, and custom options; times in the interface's `precision`.
    public static func interfaceStatistics(interface: UInt32, time: Timestamp, started: Timestamp, ended: Timestamp,
                                           interfaceDrops: UInt64, kernelDrops: UInt64,
                                           precision: TimestampPrecision = .micro,
                                           custom: CustomOptions? = nil) -> [UInt8] {
        var body: [UInt8] = []
        append32(interface, to: &body)
        appendTicks(precision.ticks(time, subMicroseconds: 0), to: &body)
        func ticks(_ t: Timestamp) -> [UInt8] {
            var out: [UInt8] = []
            appendTicks(precision.ticks(t, subMicroseconds: 0), to: &out)
            return out
        }
        func u64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        // isb_starttime, isb_endtime, isb_ifdrop, isb_osdrop
        var list: [(UInt16, [UInt8])] = [(2, ticks(started)), (3, ticks(ended)), (5, u64(interfaceDrops)),
                                         (7, u64(kernelDrops))]
        list += custom?.list ?? []
        body += options(list)
        return block(5, body)
    }

    /// Appends an enhanced packet block on interface `interface` to `out` directly, without intermediate
    /// buffers (once per packet of an annotated capture). `direction`: 1 inbound, 2 outbound, 0 unknown.
    /// An empty `comment` is left out; a `process` id other than 0 goes in `epb_processid_threadid`
    /// (`WiresharkProcessBlock`), the thread id 0 (unknown). `ticks`: the time in the interface's resolution
    /// (`TimestampPrecision.ticks`).
    public static func appendPacket(to out: inout [UInt8], interface: UInt32, ticks: UInt64, bytes: [UInt8],
                                    wireLength: Int, direction: UInt32, comment: [UInt8], process: UInt32 = 0,
                                    custom: CustomOptions?) {
        func padded(_ count: Int) -> Int { count + (-count & 3) }
        let comment = comment.prefix(Int(UInt16.max))
        var optionsLength = comment.isEmpty ? 0 : 4 + padded(comment.count)
        if direction != 0 { optionsLength += 8 }
        if process != 0 { optionsLength += 12 }
        for value in custom?.values ?? [] { optionsLength += 4 + padded(4 + value.count) }
        if optionsLength > 0 { optionsLength += 4 }
        let length = UInt32(12 + 20 + padded(bytes.count) + optionsLength)
        append32(6, to: &out)
        append32(length, to: &out)
        append32(interface, to: &out)
        appendTicks(ticks, to: &out)
        append32(UInt32(bytes.count), to: &out)
        append32(UInt32(clamping: wireLength), to: &out)
        out += bytes
        appendPadding(bytes.count, to: &out)
        if !comment.isEmpty {
            append16(1, to: &out)
            append16(UInt16(comment.count), to: &out)
            out += comment
            appendPadding(comment.count, to: &out)
        }
        if direction != 0 {
            append16(2, to: &out)
            append16(4, to: &out)
            append32(direction, to: &out)
        }
        if process != 0 {
            append16(WiresharkProcessBlock.packetProcessOption, to: &out)
            append16(8, to: &out)
            append32(process, to: &out)
            append32(0, to: &out)
        }
        if let custom {
            for value in custom.values {
                append16(custom.code, to: &out)
                append16(UInt16(4 + value.count), to: &out)
                append32(custom.enterprise, to: &out)
                out += value
                appendPadding(4 + value.count, to: &out)
            }
        }
        if optionsLength > 0 { append32(0, to: &out) } // opt_endofopt
        append32(length, to: &out)
    }

    static func appendPadding(_ count: Int, to out: inout [UInt8]) {
        for _ in 0..<(-count & 3) { out.append(0) }
    }

    static func options(_ list: [(UInt16, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (code, value) in list {
            append16(code, to: &out)
            append16(UInt16(clamping: value.count), to: &out)
            out += value.prefix(Int(UInt16.max))
            out += [UInt8](repeating: 0, count: -value.count & 3)
        }
        out += [0, 0, 0, 0] // opt_endofopt
        return out
    }

    static func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
        let length = UInt32(12 + body.count)
        var out: [UInt8] = []
        append32(type, to: &out)
        append32(length, to: &out)
        out += body
        append32(length, to: &out)
        return out
    }

    /// A timestamp in ticks of the interface's resolution, high word first (pcapng's split 64-bit timestamp).
    static func appendTicks(_ ticks: UInt64, to bytes: inout [UInt8]) {
        append32(UInt32(truncatingIfNeeded: ticks >> 32), to: &bytes)
        append32(UInt32(truncatingIfNeeded: ticks), to: &bytes)
    }

    static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
