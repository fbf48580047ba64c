/// What procscope knew of one conversation when it wrote an annotated file: its key and its attribution
/// (owner and method, or reason and detail). Its counters are not stored: they are rebuilt from the packets.
public struct ConversationRecord: Equatable, Sendable {
    public var key: FlowKey
    /// The id of its owner's process record; nil when unknown (then `reason` says why).
    public var owner: UInt32?
    public var method: AttributionMethod?
    public var reason: UnknownReason?
    public var detail: String?
    /// The attributed socket's inode, 0 when unknown.
    public var inode: UInt32
    /// First packet to owner in microseconds, `UInt32.max` when not measured.
    public var latencyMicros: UInt32

    public init(key: FlowKey, owner: UInt32?, method: AttributionMethod?, reason: UnknownReason?, detail: String?,
                inode: UInt32, latencyMicros: UInt32) {
        self.key = key
        self.owner = owner
        self.method = method
        self.reason = reason
        self.detail = detail
        self.inode = inode
        self.latencyMicros = latencyMicros
    }
}
