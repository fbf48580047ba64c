/// What the link layer told about a frame, whatever came after it: cooked captures (SLL, SLL2) say who the
/// frame was for, and SLL2 names the interface, which lets `any` captures drop the copy of a forwarded frame.
public struct LinkInfo: Sendable, Equatable {
    public var packetType: PacketType
    /// The kernel's interface index, 0 when the link layer does not carry it.
    public var interfaceIndex: UInt32

    @inlinable public init(packetType: PacketType = .unknown, interfaceIndex: UInt32 = 0) {
        self.packetType = packetType
        self.interfaceIndex = interfaceIndex
    }
}
