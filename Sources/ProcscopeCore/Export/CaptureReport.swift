/// Everything a capture produced, as plain values: what the JSON export, the summary table and later sinks
/// print. Built by `CaptureSession.report(_:)`; holds no reference into the session.
public struct CaptureReport: Sendable {
    public var capture: CaptureInfo
    /// One entry per process (PID + start time), in PID order.
    public var processes: [ProcessEntry]
    public var unknown: UnknownEntry

    /// What was captured, and how well.
    public struct CaptureInfo: Sendable, Equatable {
        public var interfaces: [String]
        public var filter: String?
        public var started: Timestamp
        public var ended: Timestamp
        public var packets: UInt64 = 0
        public var bytes: UInt64 = 0
        public var droppedByKernel: UInt64 = 0
        public var droppedByInterface: UInt64 = 0
        public var undecodable: UInt64 = 0
        public var duplicates: UInt64 = 0
        /// What was said on stderr about what the capture could not see or do, first of each kind.
        public var warnings: [CaptureWarning] = []

        public init(interfaces: [String], filter: String?, started: Timestamp, ended: Timestamp,
                    droppedByKernel: UInt64 = 0, droppedByInterface: UInt64 = 0) {
            self.interfaces = interfaces
            self.filter = filter
            self.started = started
            self.ended = ended
            self.droppedByKernel = droppedByKernel
            self.droppedByInterface = droppedByInterface
        }
    }

    /// One conversation as exported: its key, counters and how it was attributed (or why it was not).
    public struct ConversationEntry: Sendable {
        public var key: FlowKey
        public var firstSeen: Timestamp
        public var lastSeen: Timestamp
        public var tx: TrafficCounter
        public var rx: TrafficCounter
        public var tcpFlags: TCPFlags
        public var method: AttributionMethod?
        public var inode: UInt32?
        public var latencyMicros: UInt32?
        public var reason: UnknownReason?
        public var detail: String?
        /// The remote end's name, from the DNS answers captured (`RemoteNames`).
        public var remoteName: String?
        /// The process whose question that answer came back to, when the capture saw it ask.
        public var remoteNameAskedBy: NameAsker?
    }

    /// Who asked for a remote end's name: what the JSON says of it. Not the whole `ProcessIdentity`: an
    /// optional identity made every entry some 200 bytes larger, copied as each was made and written.
    public struct NameAsker: Sendable, Equatable {
        public var pid: Int32
        public var name: String
    }

    public struct ProcessEntry: Sendable {
        public var identity: ProcessIdentity
        public var tx = TrafficCounter()
        public var rx = TrafficCounter()
        public var conversations = ConversationList()
        /// Ended conversations folded into the totals (a long run keeps only what is live; not in the JSON,
        /// which is written from a run that keeps every conversation).
        public var foldedConversations = 0
        /// Conversations in all: listed and folded.
        public var conversationCount: Int { conversations.count + foldedConversations }
    }

    public struct UnknownEntry: Sendable {
        public var tx = TrafficCounter()
        public var rx = TrafficCounter()
        public var reasons: [UnknownReason: TrafficCounter] = [:]
        /// The detail of each reason's first occurrence, for the summary's one-line explanation.
        public var conversations = ConversationList()
        public var foldedConversations = 0
        public var conversationCount: Int { conversations.count + foldedConversations }

        /// Adds traffic under a reason: to the totals and to the reason's count.
        mutating func add(_ reason: UnknownReason, tx: TrafficCounter, rx: TrafficCounter) {
            self.tx.add(tx)
            self.rx.add(rx)
            var total = tx
            total.add(rx)
            reasons[reason, default: TrafficCounter()].add(total)
        }
    }
}
