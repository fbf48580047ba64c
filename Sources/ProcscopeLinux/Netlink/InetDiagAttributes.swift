/// The route attributes after an `inet_diag_msg` (linux/inet_diag.h, INET_DIAG_*), by type.
/// A destroy event names its protocol only here (INET_DIAG_PROTOCOL).
public enum InetDiagAttributes {
    /// INET_DIAG_PROTOCOL: the socket's IP protocol, one byte.
    public static let proto: UInt16 = 10

    /// Attributes as (type, value); the 72-byte message comes first.
    public static func parse(_ payload: [UInt8]) -> [UInt16: [UInt8]] {
        var attributes: [UInt16: [UInt8]] = [:]
        NetlinkAttributes.forEach(in: payload, from: InetDiagMessage.size) { type, value in
            attributes[type] = Array(value)
        }
        return attributes
    }
}

/// Walks netlink attributes (`struct nlattr`: little-endian length and type, then the value, 4-byte aligned),
/// as sock_diag replies carry them after their fixed message.
enum NetlinkAttributes {
    /// Calls `body` with each attribute's type (nested and byte-order flags masked off) and value, from
    /// `offset` on; a truncated or malformed attribute ends the walk.
    static func forEach(in payload: [UInt8], from offset: Int, _ body: (UInt16, ArraySlice<UInt8>) -> Void) {
        var offset = offset
        while payload.count - offset >= 4 {
            let length = Int(UInt16(payload[offset]) | UInt16(payload[offset + 1]) << 8)
            let type = (UInt16(payload[offset + 2]) | UInt16(payload[offset + 3]) << 8) & 0x3FFF
            guard length >= 4, offset + length <= payload.count else { return }
            body(type, payload[(offset + 4)..<(offset + length)])
            offset += (length + 3) & ~3 // NLA_ALIGN
        }
    }
}
