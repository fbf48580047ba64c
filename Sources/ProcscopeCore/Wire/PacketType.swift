/// The Linux packet type of a cooked (SLL/SLL2) frame (linux/if_packet.h, PACKET_*): who the frame was for.
/// Only cooked captures carry it; elsewhere it is `.unknown` and direction comes from the local address set.
public struct PacketType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let host = PacketType(rawValue: 0)
    public static let broadcast = PacketType(rawValue: 1)
    public static let multicast = PacketType(rawValue: 2)
    public static let otherHost = PacketType(rawValue: 3)
    public static let outgoing = PacketType(rawValue: 4)
    /// Not a kernel value: the link layer did not say.
    public static let unknown = PacketType(rawValue: 0xFF)
}
