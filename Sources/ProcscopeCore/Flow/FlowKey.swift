/// What a conversation is keyed by: network namespace, protocol, and the local and remote endpoints, oriented
/// from the point of view of the local socket (so a frame's direction, tx or rx, is decided before keying).
/// Small and trivially hashable: it sits in the per-packet flow-table probe.
public struct FlowKey: Hashable, Sendable, CustomStringConvertible {
    public var local: Endpoint
    public var remote: Endpoint
    public var proto: IPProtocol
    /// Whether the protocol carries ports: without them the ports are 0 and mean nothing.
    public var hasPorts: Bool
    /// Index of the network namespace in the session's namespace table (0 = the capture's own namespace).
    public var namespace: UInt16

    @inlinable public init(proto: IPProtocol, local: Endpoint, remote: Endpoint, hasPorts: Bool,
                           namespace: UInt16 = 0) {
        self.local = local
        self.remote = remote
        self.proto = proto
        self.hasPorts = hasPorts
        self.namespace = namespace
    }

    /// The same key in namespace `namespace`.
    @inlinable public func `in`(_ namespace: UInt16) -> FlowKey {
        var key = self
        key.namespace = namespace
        return key
    }

    /// The same flow seen from the other end.
    @inlinable public var reversed: FlowKey {
        FlowKey(proto: proto, local: remote, remote: local, hasPorts: hasPorts, namespace: namespace)
    }

    /// A cheap, well-mixed 64-bit hash for procscope's own open-addressing flow index (not `Hasher`: SipHash
    /// costs more than the rest of a packet's decode).
    @inlinable public var fastHash: UInt64 {
        var h = local.address.high &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ local.address.low) &* 0xC2B2_AE3D_27D4_EB4F
        h = (h ^ remote.address.high) &* 0x1656_67B1_9E37_79F9
        h = (h ^ remote.address.low) &* 0x9E37_79B9_7F4A_7C15
        let small = UInt64(local.port) << 48 | UInt64(remote.port) << 32 | UInt64(proto.rawValue) << 16
            | UInt64(namespace)
        h = (h ^ small) &* 0xC2B2_AE3D_27D4_EB4F
        // MurmurHash3's 64-bit finalizer: a multiply carries only upward, so without it the ports (bits 32-63
        // of `small`) barely reached the low bits that pick the index slot, and one client's many connections
        // to one server (ports differing, addresses equal) piled into a few probe chains.
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    /// A well-mixed 64-bit hash that is the same for the key and its `reversed` twin: the flow index hashes
    /// keys with it so one probe finds a flow whichever end it was keyed from (a file's reply frames, where
    /// who spoke first decides), and both orientations' index entries share a cache line.
    @inlinable public var symmetricHash: UInt64 {
        // Addition is commutative: each end is mixed on its own, then the two are summed.
        var h = (Self.mix(local) &+ Self.mix(remote)) ^ (UInt64(proto.rawValue) << 16 | UInt64(namespace))
        h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    @inlinable static func mix(_ endpoint: Endpoint) -> UInt64 {
        var h = endpoint.address.high &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ endpoint.address.low) &* 0xC2B2_AE3D_27D4_EB4F
        h = (h ^ UInt64(endpoint.port)) &* 0x1656_67B1_9E37_79F9
        return h ^ (h >> 29)
    }

    public var description: String {
        hasPorts ? "\(proto) \(local) <-> \(remote)" : "\(proto) \(local.address) <-> \(remote.address)"
    }
}
