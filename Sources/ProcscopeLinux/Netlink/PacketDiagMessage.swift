/// One AF_PACKET socket as packet_diag describes it (linux/packet_diag.h: `struct packet_diag_msg`, then
/// PACKET_DIAG_INFO, _UID, _RX_RING, _TX_RING attributes): what tells an injector (no capture ring) from a
/// capture tool (libpcap maps an RX ring), and which interface it is bound to.
public struct PacketDiagMessage: Equatable, Sendable {
    /// SOCK_RAW (3) or SOCK_DGRAM (2).
    public var type: UInt8
    /// The EtherType it is bound to receive (0: none, 3: all).
    public var etherType: UInt16
    public var inode: UInt32
    /// The interface it is bound to, 0 for all.
    public var interfaceIndex: UInt32
    public var uid: UInt32?
    public var hasReceiveRing: Bool
    public var hasTransmitRing: Bool

    static let messageSize = 16
    enum Attribute {
        static let info: UInt16 = 0
        static let receiveRing: UInt16 = 2
        static let transmitRing: UInt16 = 3
        static let uid: UInt16 = 5
    }

    /// Parses one SOCK_DIAG_BY_FAMILY payload; nil when it is not an AF_PACKET message.
    public init?(payload: [UInt8]) {
        guard payload.count >= Self.messageSize, payload[0] == 17 /* AF_PACKET */ else { return nil }
        func u32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            bytes.prefix(4).enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        }
        type = payload[1]
        etherType = UInt16(payload[2]) | UInt16(payload[3]) << 8
        inode = u32(payload[4...])
        interfaceIndex = 0
        hasReceiveRing = false
        hasTransmitRing = false
        NetlinkAttributes.forEach(in: payload, from: Self.messageSize) { kind, value in
            switch kind {
            case Attribute.info where value.count >= 4: interfaceIndex = u32(value)
            case Attribute.uid where value.count >= 4: uid = u32(value)
            case Attribute.receiveRing: hasReceiveRing = true
            case Attribute.transmitRing: hasTransmitRing = true
            default: break
            }
        }
    }
}
