/// The fields of an IP frame that procscope needs, decoded once per packet into a value on the stack.
public struct DecodedFrame: Sendable, Equatable {
    public var link: LinkInfo
    public var ipVersion: UInt8
    public var source: IPAddress
    public var destination: IPAddress
    /// The transport protocol after any IPv6 extension headers.
    public var proto: IPProtocol
    /// Whether `sourcePort`/`destinationPort` mean something: TCP, UDP, UDP-Lite, SCTP with their header
    /// present, or ICMP echo (both hold the echo identifier).
    public var hasPorts: Bool
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// IP-layer bytes as sent: the IP header's length, or the frame's own when the header cannot say it
    /// (TSO/GRO super-packets with total length 0, IPv6 jumbograms).
    public var ipLength: UInt32
    public var tcpFlags: TCPFlags
    public var fragment: Fragment
    /// ICMP/ICMPv6 type and code; 0 for other protocols.
    public var icmpType: UInt8
    public var icmpCode: UInt8
    /// Offset of the IP header in the frame.
    public var networkOffset: Int
    /// Offset of the transport header in the frame (where an ICMP error's quoted packet can be found).
    public var transportOffset: Int
    /// A UDP datagram from a DNS, mDNS or LLMNR port whose header says it is a response with answers: the
    /// session reads its answers for remote names (`DNSAnswers`). Decided while decoding, where the bytes are
    /// in cache anyway: reading a file, the counting thread then touches no payload of any other datagram.
    public var carriesDNSAnswers = false

    @inlinable public init(link: LinkInfo, ipVersion: UInt8, source: IPAddress, destination: IPAddress,
                           proto: IPProtocol, hasPorts: Bool = false, sourcePort: UInt16 = 0,
                           destinationPort: UInt16 = 0, ipLength: UInt32, tcpFlags: TCPFlags = [],
                           fragment: Fragment = .none, icmpType: UInt8 = 0, icmpCode: UInt8 = 0,
                           networkOffset: Int = 0, transportOffset: Int = 0) {
        self.link = link
        self.ipVersion = ipVersion
        self.source = source
        self.destination = destination
        self.proto = proto
        self.hasPorts = hasPorts
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.ipLength = ipLength
        self.tcpFlags = tcpFlags
        self.fragment = fragment
        self.icmpType = icmpType
        self.icmpCode = icmpCode
        self.networkOffset = networkOffset
        self.transportOffset = transportOffset
    }
}

extension DecodedFrame {
    /// An ICMP or ICMPv6 error (destination unreachable, time exceeded, parameter problem, packet too big,
    /// redirect, source quench): it quotes the header of the packet it is about, 8 bytes after its own.
    @inlinable public var isICMPError: Bool { proto.isErrorMessage(icmpType: icmpType) }

    /// The frame's tuple as sent: its sender as the local end, its destination as the remote one.
    @inlinable public var sentKey: FlowKey {
        FlowKey(proto: proto, local: Endpoint(address: source, port: sourcePort),
                remote: Endpoint(address: destination, port: destinationPort), hasPorts: hasPorts)
    }

    /// An ICMP or ICMPv6 echo request or reply (its identifier is in both port fields).
    @inlinable public var isEcho: Bool {
        hasPorts && (proto == .icmp ? (icmpType == 0 || icmpType == 8)
                     : proto == .icmpv6 && (icmpType == 128 || icmpType == 129))
    }
}
