/// The conversations one packet was counted in, as written beside it in an annotated pcapng file (a custom
/// option): each as a conversation id and a direction; or, for a packet without a conversation, the reason
/// and whether it went out. Read back without allocating, once per packet of a re-read file.
///
/// Layout: tag `packetSides`, then one little-endian 32-bit word per side (`id << 1 | tx`); or tag
/// `packetUnkeyed`, an outgoing byte, and the reason's UTF-8 name.
public enum PacketAnnotation {
    static let sidesKind = ProcscopeBlock.Tag.packetSides.rawValue
    static let unkeyedKind = ProcscopeBlock.Tag.packetUnkeyed.rawValue

    /// Replaces `bytes` with the record's annotation (a buffer reused from packet to packet); `id` gives the
    /// file's id of a session conversation (the identity when omitted).
    public static func encode(_ record: PacketRecord, into bytes: inout [UInt8],
                              id: (Int32) -> UInt32 = { UInt32(bitPattern: $0) }) {
        bytes.removeAll(keepingCapacity: true)
        if let reason = record.unkeyed {
            bytes.append(unkeyedKind)
            bytes.append(record.unkeyedOutgoing ? 1 : 0)
            bytes += reason.rawValue.utf8
        } else {
            bytes.append(sidesKind)
            for side in record.sides {
                let word = id(side.conversation) << 1 | (side.direction == .transmitted ? 1 : 0)
                withUnsafeBytes(of: word.littleEndian) { bytes += $0 }
            }
        }
    }

    /// Calls `side` with each conversation id and direction in `bytes`; returns the reason (and whether the
    /// packet went out) when the packet has no conversation. Damaged or empty: no call, nil.
    public static func decode(_ bytes: UnsafeRawBufferPointer,
                              _ side: (UInt32, Direction) -> Void) -> (UnknownReason, outgoing: Bool)? {
        guard let kind = bytes.first else { return nil }
        if kind == unkeyedKind, bytes.count >= 2 {
            return (UnknownReason(rawValue: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[2...]),
                                                   as: UTF8.self)), bytes[1] != 0)
        }
        guard kind == sidesKind else { return nil }
        var at = 1
        while at + 4 <= bytes.count {
            let word = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            side(word >> 1, word & 1 == 1 ? .transmitted : .received)
            at += 4
        }
        return nil
    }
}
