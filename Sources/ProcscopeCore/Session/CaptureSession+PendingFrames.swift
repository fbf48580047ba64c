/// Frames of conversations whose owner is still being looked up, kept (time, length, direction, flags) until
/// the answer: when the socket turns out to have closed before the lookup answered, the frames after its
/// close are a later socket's on the reused tuple (a UDP port taken by another process right after the first
/// one exited), and move to a conversation of their own with its own lookup instead of being credited to the
/// first process. Kept only while pending (usually under a millisecond) and bounded per conversation.
struct PendingFrame: Sendable {
    var time: Timestamp
    var bytes: UInt32
    var direction: Direction
    var flags: TCPFlags
    var icmpType: UInt8
}

/// A conversation split at a socket's close: packets of `from` stamped after `after` were counted in `to`.
struct ConversationSplit: Sendable {
    var from: Int32
    var to: Int32
    var after: Timestamp
}

extension CaptureSession {
    /// Frames logged per pending conversation at most; past it the log stops, and such a conversation cannot
    /// be split at a close: if its socket closes with frames after the close, none of it is credited.
    static let pendingFrameLimit = 4096

    /// Notes a frame counted in a pending conversation.
    @inline(__always)
    func logPending(_ conversation: Int32, _ direction: Direction, _ frame: FrameTally, at time: Timestamp) {
        let logged = pendingFrames[conversation]?.count ?? 0
        guard logged < Self.pendingFrameLimit else {
            sayOnce("pending-log-full") {
                "a flow (\(table[conversation].key)) sent \(Self.pendingFrameLimit) frames while its owner lookup was "
                    + "still pending: if its socket closes before the answer, its frames stay <Unknown> rather than "
                    + "risk crediting a later socket's; lookups this slow mean a loaded host (a narrower filter helps)"
            }
            return
        }
        // In place (the dictionary's modify accessor): no copy of the log per frame.
        pendingFrames[conversation, default: []].append(
            PendingFrame(time: time, bytes: frame.ipLength, direction: direction, flags: frame.tcpFlags,
                         icmpType: frame.icmpType))
    }

    /// A pending conversation's socket closed at `time`: the frames it holds from after the close leave it for
    /// a new conversation of the same tuple, which is looked up afresh.
    func splitPending(_ conversation: Int32, at time: Timestamp) {
        guard let log = pendingFrames[conversation], let firstLate = log.firstIndex(where: { $0.time > time }) else {
            return
        }
        guard log.count < Self.pendingFrameLimit else {
            // Too many frames to tell which came after the close: none is credited (a later socket's may be
            // among them).
            resolve(conversation, as: .socketClosedBeforeLookup,
                    detail: "socket closed while its lookup was pending, after more than \(Self.pendingFrameLimit) "
                        + "frames: frames before and after the close cannot be told apart, none credited")
            return
        }
        let kept = log[..<firstLate], late = log[firstLate...]
        // What stays: the frames up to the close (they were logged from the conversation's first frame).
        var tx = TrafficCounter(), rx = TrafficCounter()
        var flags = TCPFlags()
        for frame in kept {
            if frame.direction == .transmitted { tx.add(bytes: frame.bytes) } else { rx.add(bytes: frame.bytes) }
            flags.formUnion(frame.flags)
        }
        table[conversation].tx = tx
        table[conversation].rx = rx
        table[conversation].tcpFlagsSeen = flags
        table[conversation].lastSeen = kept.last?.time ?? table[conversation].firstSeen
        pendingFrames[conversation] = Array(kept)
        // What leaves: a new conversation, as if its first frame had just arrived.
        let first = late.first!
        var moved = Conversation(key: table[conversation].key, firstSeen: first.time)
        for frame in late { moved.count(frame.direction, bytes: frame.bytes, at: frame.time, flags: frame.flags) }
        let new = table.add(moved)
        recentlyClosed[moved.key] = (conversation, time)
        pendingFrames[new] = Array(late)
        pending.insert(new, key: moved.key)
        splits.append(ConversationSplit(from: conversation, to: new, after: time))
        if splits.count > 256 { splits.removeFirst(splits.count - 128) }
        let request = AttributionRequest(conversation: new, key: moved.key, firstSeen: first.time,
                                         firstFrameOutgoing: first.direction == .transmitted,
                                         firstTCPFlags: first.flags, firstICMPType: first.icmpType)
        if let answer = attributor.request(request) { apply(answer) }
    }

    /// The conversation a packet stamped `time` and counted in `conversation` belongs to now (a split at a
    /// close may have moved it): what the audit listing and the annotated file name.
    public func currentConversation(_ conversation: Int32, at time: Timestamp) -> Int32 {
        guard !splits.isEmpty else { return conversation }
        var current = conversation
        for split in splits where split.from == current && time > split.after { current = split.to }
        return current
    }
}
