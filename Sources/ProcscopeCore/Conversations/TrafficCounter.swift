/// Packets and IP-layer bytes in one direction.
public struct TrafficCounter: Hashable, Sendable {
    public var packets: UInt64
    public var bytes: UInt64

    @inlinable public init(packets: UInt64 = 0, bytes: UInt64 = 0) {
        self.packets = packets
        self.bytes = bytes
    }

    @inlinable public mutating func add(bytes: UInt32) {
        packets &+= 1
        self.bytes &+= UInt64(bytes)
    }

    @inlinable public mutating func add(_ other: TrafficCounter) {
        packets &+= other.packets
        bytes &+= other.bytes
    }
}
