/// Answers from the attribution worker and socket-close events, applied on the capture loop's thread.
extension CaptureSession {
    /// Credits a pending conversation with its owner or its unknown reason.
    public func apply(_ result: AttributionResult) {
        let i = result.conversation
        guard i >= 0 && Int(i) < table.slots.count, table[i].key == result.key, table[i].isPending else { return }
        pendingFrames.removeValue(forKey: result.conversation)
        let latency = result.resolvedAt.microseconds(since: table[i].firstSeen)
        table[i].latencyMicros = UInt32(clamping: max(0, latency))
        switch result.attribution {
        case .process(let identity, let method, let evidence):
            // A close for this tuple was seen while the lookup ran; if the lookup then found another socket,
            // that socket is a newer one on the reused tuple and its owner did not send these frames. (A
            // listener's holder is credited for a connection never accepted: the evidence is the listener, of
            // course not the connection's closed socket.)
            let closedCookie = table[i].cookie
            if closedCookie != 0, let evidence, evidence.cookie != closedCookie, method != .listeningSocket {
                resolve(result.conversation, as: .socketClosedBeforeLookup,
                        detail: "socket (cookie \(closedCookie)) closed before lookup; the tuple now belongs to "
                            + "a newer socket (inode \(evidence.inode)), not credited")
                return
            }
            pending.remove(result.conversation)
            attributionLatencies.observe(micros: latency)
            table[i].owner = Int32(owners.intern(identity))
            table[i].methodOrReason = UInt16(methods.intern(method))
            if let evidence {
                table[i].inode = evidence.inode
                table[i].cookie = evidence.cookie
                byCookie.add(result.conversation, cookie: evidence.cookie)
            }
        case .unknown(let reason, let detail):
            resolve(result.conversation, as: reason, detail: detail)
        }
    }

    /// Marks a conversation unknown with a reason and detail.
    func resolve(_ conversation: Int32, as reason: UnknownReason, detail: String) {
        let i = conversation
        pending.remove(conversation)
        pendingFrames.removeValue(forKey: conversation)
        table[i].owner = Conversation.unknown
        table[i].methodOrReason = UInt16(reasons.intern(reason))
        let named = details.retain(detail)
        details.release(table[i].detail)
        table[i].detail = named
    }

    /// A socket closed: its conversations end, so a later socket on the same tuple (a reused port) starts new
    /// ones and is looked up afresh. A pending conversation whose tuple matches remembers the cookie, so a
    /// lookup that later finds a different socket is not credited.
    public func socketClosed(_ event: SocketClosed) {
        if !heirs.isEmpty { heirs = heirs.filter { $0.value.cookie != event.cookie } }
        for conversation in byCookie.removeAll(of: event.cookie) { close(conversation, at: event.closedAt) }
        for conversation in pending.candidates(closing: event.key) {
            let i = conversation
            guard !table[i].isClosed, table[i].cookie == 0,
                  event.covers(table[i].key) else { continue }
            table[i].cookie = event.cookie
            close(conversation, at: event.closedAt)
            // Frames counted after the close (the event is read late) are a later socket's: they move.
            splitPending(conversation, at: event.closedAt)
        }
    }

    /// A socket changed hands: its live conversations end at the change (frames stamped before it still
    /// count there, as after a close), and the tuple's next frame opens a conversation credited to the new
    /// holder, or to the reason none can be named.
    public func ownerChanged(_ change: OwnerChange) {
        let known = byCookie.conversations(of: change.cookie)
        var ended = false
        for conversation in known where !table[conversation].isClosed
            && table[conversation].key == change.key {
            close(conversation, at: change.at)
            ended = true
        }
        if ended { heirs[change.key] = change }
    }

    /// Housekeeping once per loop turn (not per packet): gives up lookups older than the age limit and forgets
    /// closed conversations whose late frames can no longer arrive.
    public func expire(now: Timestamp) {
        let limit = configuration.pendingAgeLimitMicros
        for conversation in pending where now.microseconds(since: table[conversation].firstSeen) > limit {
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
