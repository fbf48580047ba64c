/// One netlink message (linux/netlink.h `struct nlmsghdr` followed by its payload), split out of a datagram by
/// `NetlinkMessage.split`. Pure byte parsing, so recorded datagrams under Fixtures/ test it.
public struct NetlinkMessage: Equatable {
    public var type: UInt16
    public var flags: UInt16
    public var sequence: UInt32
    public var payload: [UInt8]

    public static let done: UInt16 = 3     // NLMSG_DONE
    public static let error: UInt16 = 2    // NLMSG_ERROR
    public static let sockDiagByFamily: UInt16 = 20 // SOCK_DIAG_BY_FAMILY
    static let headerLength = 16           // NLMSG_HDRLEN

    /// The messages of one received datagram, in order; a truncated tail is ignored.
    /// Header fields are in host byte order (little-endian here).
    public static func split(_ datagram: UnsafeRawBufferPointer) -> [NetlinkMessage] {
        var messages: [NetlinkMessage] = []
        var offset = 0
        while datagram.count - offset >= headerLength {
            let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard length >= headerLength, offset + length <= datagram.count else { break }
            messages.append(NetlinkMessage(
                type: datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self),
                flags: datagram.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self),
                sequence: datagram.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self),
                payload: Array(datagram[(offset + headerLength)..<(offset + length)])))
            offset += (length + 3) & ~3 // NLMSG_ALIGN
        }
        return messages
    }

    /// For NLMSG_ERROR (and for the errno some kernels put in NLMSG_DONE's payload): the positive errno,
    /// 0 for an acknowledgement, nil when the payload is too short or holds no negatable value (Int32.min,
    /// found by the netlink fuzz target: negating it trapped).
    public var errorCode: Int32? {
        guard payload.count >= 4 else { return nil }
        let value = payload.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }
        return value == .min ? nil : -value
    }
}
