import ProcscopeCore

/// One ctnetlink message (linux/netfilter/nfnetlink_conntrack.h) as procscope reads it: the connection's
/// original and reply tuples, and whether the kernel translates it (IPS_SRC_NAT / IPS_DST_NAT in CTA_STATUS).
/// Pure byte parsing of the payload after `struct nlmsghdr` (a 4-byte `struct nfgenmsg`, then attributes).
enum ConntrackMessage {
    // enum ctattr_type, ctattr_tuple, ctattr_ip, ctattr_l4proto
    static let tupleOriginal: UInt16 = 1, tupleReply: UInt16 = 2, status: UInt16 = 3
    static let tupleIP: UInt16 = 1, tupleProto: UInt16 = 2
    static let ipv4Source: UInt16 = 1, ipv4Destination: UInt16 = 2, ipv6Source: UInt16 = 3, ipv6Destination: UInt16 = 4
    static let protoNumber: UInt16 = 1, sourcePort: UInt16 = 2, destinationPort: UInt16 = 3
    /// enum ip_conntrack_status
    static let sourceNAT: UInt32 = 1 << 4, destinationNAT: UInt32 = 1 << 5
    /// NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW / _GET / _DELETE
    static let new: UInt16 = 1 << 8 | 0, get: UInt16 = 1 << 8 | 1, delete: UInt16 = 1 << 8 | 2

    /// The translated connection a message describes; nil when it is not translated or not TCP, UDP, UDP-Lite
    /// or SCTP (whose ports procscope keys by), or damaged.
    static func binding(_ payload: [UInt8]) -> NATBinding? {
        var original: (IPProtocol, Endpoint, Endpoint)?, reply: (IPProtocol, Endpoint, Endpoint)?
        var state: UInt32 = 0
        NetlinkAttributes.forEach(in: payload, from: 4) { type, value in
            switch type {
            case tupleOriginal: original = tuple(Array(value))
            case tupleReply: reply = tuple(Array(value))
            case status where value.count == 4: state = value.reduce(0) { $0 << 8 | UInt32($1) }
            default: break
            }
        }
        guard state & (sourceNAT | destinationNAT) != 0, let original, let reply, original.0 == reply.0,
              [.tcp, .udp, .udpLite, .sctp].contains(original.0) else { return nil }
        return NATBinding(proto: original.0, originalSource: original.1, originalDestination: original.2,
                          replySource: reply.1, replyDestination: reply.2)
    }

    /// A CTA_TUPLE_*: protocol, source and destination endpoints.
    static func tuple(_ bytes: [UInt8]) -> (IPProtocol, Endpoint, Endpoint)? {
        var source: IPAddress?, destination: IPAddress?
        var proto: UInt8?, sourcePort: UInt16?, destinationPort: UInt16?
        NetlinkAttributes.forEach(in: bytes, from: 0) { type, value in
            switch type {
            case tupleIP:
                NetlinkAttributes.forEach(in: Array(value), from: 0) { kind, address in
                    switch kind {
                    case ipv4Source, ipv6Source: source = IPAddress(bytes: address)
                    case ipv4Destination, ipv6Destination: destination = IPAddress(bytes: address)
                    default: break
                    }
                }
            case tupleProto:
                NetlinkAttributes.forEach(in: Array(value), from: 0) { kind, field in
                    switch kind {
                    case protoNumber: proto = field.first
                    case Self.sourcePort where field.count == 2: sourcePort = UInt16(field.first!) << 8 | UInt16(field.last!)
                    case Self.destinationPort where field.count == 2: destinationPort = UInt16(field.first!) << 8 | UInt16(field.last!)
                    default: break
                    }
                }
            default: break
            }
        }
        guard let source, let destination, let proto, let sourcePort, let destinationPort else { return nil }
        return (IPProtocol(rawValue: proto), Endpoint(address: source, port: sourcePort),
                Endpoint(address: destination, port: destinationPort))
    }
}
