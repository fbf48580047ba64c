/// What counting a frame in a conversation reads of it: its IP-layer length, its TCP flags and its ICMP type
/// (for an owner lookup's first frame). Counting takes this, not the whole decoded frame, so a frame read ahead
/// of being counted (`PreparedFrame`) can be counted from the few fields it carries.
public struct FrameTally: Sendable {
    public var ipLength: UInt32
    public var tcpFlags: TCPFlags
    public var icmpType: UInt8

    @inlinable public init(ipLength: UInt32, tcpFlags: TCPFlags, icmpType: UInt8) {
        self.ipLength = ipLength
        self.tcpFlags = tcpFlags
        self.icmpType = icmpType
    }
}

extension DecodedFrame {
    /// What counting this frame in a conversation reads of it.
    @inlinable public var tally: FrameTally { FrameTally(ipLength: ipLength, tcpFlags: tcpFlags, icmpType: icmpType) }
}
