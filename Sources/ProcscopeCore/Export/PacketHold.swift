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

    /// Calls `body` with each releasable packet, in order (its sides as counted; listings show
    /// `sides.senderFirst`).
    public mutating func release(_ session: CaptureSession, now: Timestamp, force: Bool = false,
                                 _ body: (PacketRecord) -> Void) {
        while head < queue.count {
            // A conversation split at its socket's close since the packet was counted: name the part it is in.
            let time = queue[head].time
            queue[head].sides = queue[head].sides.remapped { session.currentConversation($0, at: time) }
            let waiting = queue[head].sides.contains { session.table[$0.conversation].isPending }
            if waiting && !force && now.microseconds(since: queue[head].time) < holdMicros { break }
            head += 1
            body(queue[head - 1])
        }
        if head > 4096 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
    }
}
