/// Packets in capture order, each released once the owners of its conversations are known (or after
/// `holdMicros`): what the audit listing and the annotated capture file both need, so that no line or
/// packet comment says "pending" when the answer is a few hundred microseconds away.
public struct PacketHold {
    private var queue: [PacketRecord] = []
    private var head = 0
    public let holdMicros: Int64

    public init(holdMicros: Int64 = 1_000_000) {
        self.holdMicros = holdMicros
    }

    public mutating func append(_ record: PacketRecord) {
        queue.append(record)
    }

    /// Calls `body` with each releasable packet and its sides' owners (sending side first), in order.
    public mutating func release(_ session: CaptureSession, now: Timestamp, force: Bool = false,
                                 _ body: (PacketRecord, [(PacketRecord.Side, ConversationOwner)]) -> Void) {
        while head < queue.count {
            let record = queue[head]
            let owners = record.sides.sorted { $0.direction == .transmitted && $1.direction != .transmitted }
                .map { ($0, session.owner(ofConversation: $0.conversation)) }
            let waiting = owners.contains { if case .pending = $0.1 { return true } else { return false } }
            if waiting && !force && now.microseconds(since: record.time) < holdMicros { break }
            head += 1
            body(record, owners)
        }
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
