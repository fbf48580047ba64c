/// Answers from the attribution worker and socket-close events, applied on the capture loop's thread.
extension CaptureSession {
    /// Credits a pending conversation with its owner or its unknown reason.
    public func apply(_ result: AttributionResult) {
        let i = Int(result.conversation)
        guard i < conversations.count, conversations[i].key == result.key, conversations[i].isPending else { return }
        pendingFrames.removeValue(forKey: result.conversation)
        let latency = result.resolvedAt.microseconds(since: conversations[i].firstSeen)
        conversations[i].latencyMicros = UInt32(clamping: max(0, latency))
        switch result.attribution {
        case .process(let identity, let method, let evidence):
            // A close for this tuple was seen while the lookup ran; if the lookup then found another socket,
            // that socket is a newer one on the reused tuple and its owner did not send these frames.
            let closedCookie = conversations[i].cookie
            if closedCookie != 0, let evidence, evidence.cookie != closedCookie {
                resolve(result.conversation, as: .socketClosedBeforeLookup,
                        detail: "socket (cookie \(closedCookie)) closed before lookup; the tuple now belongs to "
                            + "a newer socket (inode \(evidence.inode)), not credited")
                return
            }
            pending.remove(result.conversation)
            conversations[i].owner = Int32(owners.intern(identity))
            conversations[i].methodOrReason = UInt16(methods.intern(method))
            if let evidence {
                conversations[i].inode = evidence.inode
                conversations[i].cookie = evidence.cookie
                byCookie[evidence.cookie, default: []].append(result.conversation)
            }
        case .unknown(let reason, let detail):
            resolve(result.conversation, as: reason, detail: detail)
        }
    }

    /// Marks a conversation unknown with a reason and detail.
    func resolve(_ conversation: Int32, as reason: UnknownReason, detail: String) {
        let i = Int(conversation)
        pending.remove(conversation)
        pendingFrames.removeValue(forKey: conversation)
        conversations[i].owner = Conversation.unknown
        conversations[i].methodOrReason = UInt16(reasons.intern(reason))
        conversations[i].detail = Int32(details.intern(detail))
    }

    /// A socket closed: its conversations end, so a later socket on the same tuple (a reused port) starts new
    /// ones and is looked up afresh. A pending conversation whose tuple matches remembers the cookie, so a
    /// lookup that later finds a different socket is not credited.
    public func socketClosed(_ event: SocketClosed) {
        if !heirs.isEmpty { heirs = heirs.filter { $0.value.cookie != event.cookie } }
        if let known = byCookie.removeValue(forKey: event.cookie) {
            for conversation in known { close(conversation, at: event.closedAt) }
        }
        for conversation in pending {
            let i = Int(conversation)
            guard !conversations[i].isClosed, conversations[i].cookie == 0,
                  event.covers(conversations[i].key) else { continue }
            conversations[i].cookie = event.cookie
            close(conversation, at: event.closedAt)
            // Frames counted after the close (the event is read late) are a later socket's: they move.
            splitPending(conversation, at: event.closedAt)
        }
    }

    /// A socket changed hands: its live conversations end at the change (frames stamped before it still
    /// count there, as after a close), and the tuple's next frame opens a conversation credited to the new
    /// holder, or to the reason none can be named.
    public func ownerChanged(_ change: OwnerChange) {
        guard let known = byCookie[change.cookie] else { return }
        var ended = false
        for conversation in known where !conversations[Int(conversation)].isClosed
            && conversations[Int(conversation)].key == change.key {
            close(conversation, at: change.at)
            ended = true
        }
        if ended { heirs[change.key] = change }
    }

    /// Housekeeping once per loop turn (not per packet): gives up lookups older than the age limit and forgets
    /// closed conversations whose late frames can no longer arrive.
    public func expire(now: Timestamp) {
        let limit = configuration.pendingAgeLimitMicros
        for conversation in pending where now.microseconds(since: conversations[Int(conversation)].firstSeen) > limit {
            resolve(conversation, as: .lookupTimedOut, detail: "no answer from the socket lookup within \(limit / 1000) ms")
        }
        if !recentlyClosed.isEmpty {
            recentlyClosed = recentlyClosed.filter { now.microseconds(since: $0.value.closedAt) < 2_000_000 }
        }
    }

    /// Ends the session: every conversation still waiting is given `reason`.
    public func finish(pendingReason: UnknownReason = .lookupTimedOut,
                       detail: String = "capture ended before the socket lookup answered") {
        for conversation in pending { resolve(conversation, as: pendingReason, detail: detail) }
    }

    /// Conversations waiting for their owner.
    public var pendingCount: Int { pending.count }
}
