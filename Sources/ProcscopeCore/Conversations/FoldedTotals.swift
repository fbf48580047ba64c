/// What retired conversations leave behind: their traffic and their number, per owner (an index in the
/// session's owner table) and per unknown reason. A long run keeps these instead of the conversations, so its
/// memory follows what is live, not what was ever seen.
public struct FoldedTotals: Sendable {
    public struct Entry: Sendable {
        public var tx = TrafficCounter()
        public var rx = TrafficCounter()
        public var conversations = 0
    }

    public internal(set) var owners: [Int32: Entry] = [:]
    public internal(set) var reasons: [UnknownReason: Entry] = [:]
    /// The first and last frame times of the retired conversations (what a file's report spans).
    public internal(set) var firstSeen: Timestamp?
    public internal(set) var lastSeen: Timestamp?

    mutating func add(_ conversation: Conversation, reason: UnknownReason?) {
        var entry: Entry
        if let reason { entry = reasons[reason] ?? Entry() } else { entry = owners[conversation.owner] ?? Entry() }
        entry.tx.add(conversation.tx)
        entry.rx.add(conversation.rx)
        entry.conversations += 1
        if let reason { reasons[reason] = entry } else { owners[conversation.owner] = entry }
        firstSeen = min(firstSeen ?? conversation.firstSeen, conversation.firstSeen)
        lastSeen = max(lastSeen ?? conversation.lastSeen, conversation.lastSeen)
    }
}
