/// A new flow handed from the capture loop to the attribution worker: which socket to look for, plus what the
/// first frame showed (its direction and TCP flags decide between "no socket", "kernel-generated" and others).
public struct AttributionRequest: Sendable {
    /// The conversation this answer belongs to (an index in the session's conversation table).
    public var conversation: Int32
    public var key: FlowKey
    public var firstSeen: Timestamp
    /// Whether the first frame was sent by the local endpoint.
    public var firstFrameOutgoing: Bool
    public var firstTCPFlags: TCPFlags
    /// The first frame's ICMP/ICMPv6 type (0 for other protocols): neighbour discovery and MLD are the kernel's.
    public var firstICMPType: UInt8

    public init(conversation: Int32, key: FlowKey, firstSeen: Timestamp, firstFrameOutgoing: Bool,
                firstTCPFlags: TCPFlags, firstICMPType: UInt8 = 0) {
        self.conversation = conversation
        self.key = key
        self.firstSeen = firstSeen
        self.firstFrameOutgoing = firstFrameOutgoing
        self.firstTCPFlags = firstTCPFlags
        self.firstICMPType = firstICMPType
    }

    /// Whether the first frame was an ICMP or ICMPv6 error message (the kernel sends those).
    public var firstICMPIsError: Bool { key.proto.isErrorMessage(icmpType: firstICMPType) }

    /// Why the kernel, not a process, sends and receives this flow, when it is one of the protocols only
    /// the kernel speaks: IGMP and MLD group membership, IPv6 neighbour solicitations and advertisements.
    public var kernelProtocol: String? {
        if key.proto == .igmp { return "IGMP group membership, sent and answered by the kernel" }
        guard key.proto == .icmpv6 else { return nil }
        switch firstICMPType {
        case 130, 131, 132, 143: return "MLD group membership, sent and answered by the kernel"
        case 135, 136: return "IPv6 neighbour discovery, sent and answered by the kernel"
        default: return nil
        }
    }
}

/// The worker's answer for one request.
public struct AttributionResult: Sendable {
    public var conversation: Int32
    public var key: FlowKey
    public var attribution: Attribution
    /// When the answer was known (wall clock), to measure first-packet-to-owner latency.
    public var resolvedAt: Timestamp

    public init(conversation: Int32, key: FlowKey, attribution: Attribution, resolvedAt: Timestamp) {
        self.conversation = conversation
        self.key = key
        self.attribution = attribution
        self.resolvedAt = resolvedAt
    }
}

/// A socket the kernel reported closed (sock_diag destroy event), or the capture's wall clock at that moment.
public struct SocketClosed: Sendable {
    public var key: FlowKey
    public var cookie: UInt64
    public var closedAt: Timestamp

    public init(key: FlowKey, cookie: UInt64, closedAt: Timestamp) {
        self.key = key
        self.cookie = cookie
        self.closedAt = closedAt
    }
}

extension SocketClosed {
    /// Whether this close event's tuple (whose local address may be the wildcard and whose remote end is
    /// zero for an unconnected socket) covers a conversation's key.
    public func covers(_ conversation: FlowKey) -> Bool {
        guard key.proto == conversation.proto, key.namespace == conversation.namespace,
              key.local.port == conversation.local.port else { return false }
        let localMatches = key.local.address.isUnspecified || key.local.address == conversation.local.address
        let remoteMatches = (key.remote.address.isUnspecified && key.remote.port == 0)
            || key.remote == conversation.remote
        return localMatches && remoteMatches
    }
}
