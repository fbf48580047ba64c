/// An IP protocol number (IANA "protocol-numbers"), also the IPv6 next-header value.
/// Open: unknown numbers round-trip and print as their number.
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let hopByHop = IPProtocol(rawValue: 0)
    public static let icmp = IPProtocol(rawValue: 1)
    public static let igmp = IPProtocol(rawValue: 2)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)
    public static let ipv6Routing = IPProtocol(rawValue: 43)
    public static let ipv6Fragment = IPProtocol(rawValue: 44)
    public static let esp = IPProtocol(rawValue: 50)
    public static let ah = IPProtocol(rawValue: 51)
    public static let icmpv6 = IPProtocol(rawValue: 58)
    public static let ipv6NoNext = IPProtocol(rawValue: 59)
    public static let ipv6DestinationOptions = IPProtocol(rawValue: 60)
    public static let sctp = IPProtocol(rawValue: 132)
    public static let mobility = IPProtocol(rawValue: 135)
    public static let udpLite = IPProtocol(rawValue: 136)
    public static let hip = IPProtocol(rawValue: 139)
    public static let shim6 = IPProtocol(rawValue: 140)

    /// Protocols whose first four transport bytes are a source and destination port (RFC 793, 768, 3828, 9260).
    @inlinable public var carriesPorts: Bool {
        self == .tcp || self == .udp || self == .udpLite || self == .sctp
    }

    /// The lower-case name used in JSON and the summary ("tcp", "udp", ...); unnamed protocols print as "ip-N".
    public var description: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .udpLite: return "udplite"
        case .sctp: return "sctp"
        case .icmp: return "icmp"
        case .icmpv6: return "icmpv6"
        case .igmp: return "igmp"
        case .esp: return "esp"
        case .ah: return "ah"
        default: return "ip-\(rawValue)"
        }
    }
}

extension IPProtocol {
    /// Whether an ICMP (RFC 792) or ICMPv6 (RFC 4443) message of this type is an error: destination
    /// unreachable, source quench, redirect, time exceeded, parameter problem; packet too big for ICMPv6.
    @inlinable public func isErrorMessage(icmpType: UInt8) -> Bool {
        switch self {
        case .icmp: return icmpType == 3 || icmpType == 4 || icmpType == 5 || icmpType == 11 || icmpType == 12
        case .icmpv6: return icmpType >= 1 && icmpType <= 4
        default: return false
        }
    }
}
