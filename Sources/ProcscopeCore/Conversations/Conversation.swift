/// One conversation: a flow key during one socket's lifetime, its counters, and how it was attributed.
///
/// Kept compact (128 bytes, two cache lines in `ConversationTable`): the owner, method, reason and detail are
/// indices into the session's interned tables, so a live conversation costs well under the 256-byte budget
/// (`LongRunMemoryTests` measures the whole cost).
public struct Conversation: Sendable {
    public var key: FlowKey
    public var tx = TrafficCounter()
    public var rx = TrafficCounter()
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// Socket cookie of the attributed socket, 0 when unknown.
    public var cookie: UInt64 = 0
    /// Socket inode of the attributed socket, 0 when unknown.
    public var inode: UInt32 = 0
    /// First packet to owner, in microseconds; `UInt32.max` when not measured.
    public var latencyMicros: UInt32 = .max
    /// Index in the session's owner table when attributed to a process; `pending` or `unknown` otherwise.
    public var owner: Int32 = Conversation.pending
    /// Index of the method (when `owner >= 0`) or of the unknown reason (when `owner == unknown`).
    public var methodOrReason: UInt16 = 0
    /// Index of the unknown reason's detail string.
    public var detail: Int32 = -1
    /// Every TCP flag seen in either direction.
    public var tcpFlagsSeen = TCPFlags()
    /// Ended by a socket close (or a new SYN on the same tuple); frames after `lastSeen` go to a new one.
    public var isClosed = false
    /// Folded into its owner's totals and its slot free for a new conversation (`CaptureSession.retireIdle`).
    public var isRetired = false

    public static let pending: Int32 = -1
    public static let unknown: Int32 = -2

    @inlinable public init(key: FlowKey, firstSeen: Timestamp) {
        self.key = key
        self.firstSeen = firstSeen
        self.lastSeen = firstSeen
    }

    @inlinable public var isPending: Bool { owner == Conversation.pending }

    @inlinable public mutating func count(_ direction: Direction, bytes: UInt32, at time: Timestamp,
                                          flags: TCPFlags) {
        if direction == .transmitted { tx.add(bytes: bytes) } else { rx.add(bytes: bytes) }
        if time > lastSeen { lastSeen = time }
        tcpFlagsSeen.formUnion(flags)
    }
}
