/// Writes pcapng blocks (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-03.html) in little-endian
/// order: a section header naming procscope, interface descriptions, and enhanced packet blocks with
/// `epb_flags` (direction) and an `opt_comment` (procscope's annotation: who sent or received the packet),
/// which Wireshark and tshark show as the frame comment. libpcap writes only classic pcap, hence our own.
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

    /// An interface description: link type, snap length, and its name (microsecond timestamps, the default).
    public static func interface(linkType: LinkType, snapLength: Int, name: String) -> [UInt8] {
        var body: [UInt8] = []
        append16(UInt16(truncatingIfNeeded: linkType.rawValue), to: &body)
        append16(0, to: &body)
        append32(UInt32(clamping: snapLength), to: &body)
        body += options([(2, Array(name.utf8))]) // if_name
        return block(1, body)
    }

    /// An enhanced packet block on interface `interface`. `direction`: 1 inbound, 2 outbound, 0 unknown.
    public static func packet(interface: UInt32, time: Timestamp, bytes: [UInt8], wireLength: Int, direction: UInt32,
                              comment: String?) -> [UInt8] {
        var body: [UInt8] = []
        append32(interface, to: &body)
        let ticks = UInt64(bitPattern: time.microseconds)
        append32(UInt32(truncatingIfNeeded: ticks >> 32), to: &body)
        append32(UInt32(truncatingIfNeeded: ticks), to: &body)
        append32(UInt32(bytes.count), to: &body)
        append32(UInt32(clamping: wireLength), to: &body)
        body += bytes
        body += [UInt8](repeating: 0, count: -bytes.count & 3)
        var list: [(UInt16, [UInt8])] = []
        if let comment { list.append((1, Array(comment.utf8))) }
        if direction != 0 {
            var flags: [UInt8] = []
            append32(direction, to: &flags)
            list.append((2, flags))
        }
        if !list.isEmpty { body += options(list) }
        return block(6, body)
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

    static func append16(_ value: UInt16, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
