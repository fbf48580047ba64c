import Glibc
import ProcscopeCore

/// The owners of sockets that are gone before the scan could reach them: the kernel's release records
/// (`SocketReleaseRecorder`), found through the cookie of the flow's socket, or of its destroy event when the
/// socket no longer exists.
extension OwnershipResolver {
    /// Reads the destroy events waiting (the worker calls it on every wake, and a lookup that found no
    /// socket calls it again): recent closes, bounded. `unlessWithin`: not when the last read was less than
    /// this many microseconds ago. A lookup's own read is for a close that came since the turn began; under
    /// churn, fifty lookups a turn each asking the kernel (an epoll_wait each at least) were 4% of
    /// procscope's CPU, and a close missed by a skipped read still wakes the lookup waiting for it
    /// (`CloseWaiters`).
    func drainCloseEvents(unlessWithin micros: Int64 = 0) {
        let now = wallClockNow()
        if micros > 0 && now.microseconds(since: lastCloseDrain) < micros { return }
        lastCloseDrain = now
        let events = tables.takeCloses()
        guard !events.isEmpty else { return }
        for event in events {
            forgetHeld(cookie: event.socket.cookie)
            if closedTuples.count < 65_536 { closedTuples.append(event.key) }
            recentCloses.append(SocketClosed(key: event.key, cookie: event.socket.cookie, closedAt: now))
        }
        // Closes older than any lookup waits (`pendingAgeLimitMicros`, 5 s) answer none: their memory goes.
        if now.microseconds(since: lastClosesPruned) > 1_000_000 {
            recentCloses.drop(closedBefore: Timestamp(microseconds: now.microseconds - Self.closesKeptMicros))
            lastClosesPruned = now
        }
    }

    /// The tuples of the closes taken since the last call.
    func takeClosedTuples() -> [FlowKey] {
        defer { closedTuples.removeAll(keepingCapacity: true) }
        return closedTuples
    }

    /// The flow's socket no longer exists: the owner recorded at its release, found through the cookie of its
    /// destroy event, or why there is no socket.
    func gone(_ request: AttributionRequest, attempt: Int) -> Outcome {
        drainCloseEvents(unlessWithin: Self.lookupDrainMicros)
        // The close's release record first when the close is in: one map lookup, where the first-send record
        // takes three (the send, the release, the creation), and either names the same process: the one that
        // created the socket and released it after the flow's first frame.
        let closed = closedCookie(request)
        if let released = releasedOwner(request, cookie: closed, releasedAfterFirstFrame: true) { return .answer(released) }
        if let recorded = recordedSender(request) { return .answer(recorded) }
        if let wait = awaitReleaseRecord(attempt: attempt) { return wait }
        let reason = Self.noSocket(request)
        if case .unknown(.kernelGenerated, _) = reason { return .answer(reason) }
        // No inet socket closed on this tuple since its first frame: an outgoing one may have been injected.
        if closed == nil, let injected = injectedThroughPacketSocket(request) { return .answer(injected) }
        if case .unknown(.socketClosedBeforeLookup, let detail) = reason {
            return .answer(.unknown(.socketClosedBeforeLookup, detail: detail + lostOwnerNote(request)))
        }
        return .answer(reason)
    }

    /// Whether a socket's close leads to its owner: closes are reported, and the release records attached.
    var closesLeadToOwners: Bool { records != nil && tables.reportsCloses }

    /// For a socket closed before its release record could be read: wait for its destroy event (which wakes
    /// the lookup, `CloseWaiters`), a millisecond at a time, three looks at most; nil past them, or when
    /// closes lead to no owner.
    func awaitReleaseRecord(attempt: Int) -> Outcome? {
        closesLeadToOwners && attempt < 3 ? .awaitClose(patience: 1_000) : nil
    }

    /// What is known of an owner that was gone before it could be found, without naming a guess: whether a
    /// close of the tuple was seen (with its cookie), and which processes exited since the flow's first frame.
    func lostOwnerNote(_ request: AttributionRequest) -> String {
        var note = ""
        if let cookie = closedCookie(request) { note += "; its socket (cookie \(cookie)) closed after the first frame" }
        let exits = processes.exits(since: request.firstSeen)
        if exits.isEmpty {
            note += "; no process exit reported yet"
        } else {
            let named = exits.prefix(3).map { exit in
                exit.identity.map { ConversationOwner.label(pid: exit.pid, name: $0.name) + " (uid \($0.uid))" } ?? "\(exit.pid)"
            }
            note += "; exits seen since its first frame (not necessarily its owner): " + named.joined(separator: ", ")
                + (exits.count > 3 ? " and \(exits.count - 3) more" : "")
        }
        return note
    }

    /// The owner the kernel recorded when the flow's socket (found closing, or with no holder left) was
    /// released: for owners gone before the scan could reach them.
    func releasedOwner(_ request: AttributionRequest, socket: InetDiagMessage) -> Attribution? {
        releasedOwner(request, cookie: socket.cookie, inode: socket.inode)
    }

    /// `releasedAfterFirstFrame` when the cookie came from a close event rather than from the flow's own
    /// socket: the socket must then have been released after the flow's first frame, or it was an earlier
    /// socket on a reused tuple whose close was reported late.
    func releasedOwner(_ request: AttributionRequest, cookie: UInt64?, inode: UInt32 = 0,
                               releasedAfterFirstFrame: Bool = false) -> Attribution? {
        guard let cookie, let record = records?.lastHolder(cookie: cookie), trusts(record, for: request) else {
            return nil
        }
        if releasedAfterFirstFrame && record.releasedAt < request.firstSeen { return nil }
        var identity = ProcessIdentity(pid: record.pid, startTime: .zero, name: record.name, executable: nil,
                                       commandLine: [], uid: record.uid,
                                       userName: processes.reader.userNames(record.uid), networkNamespace: 0,
                                       cgroup: nil)
        // The snapshot taken at exec (or the live process) when it is the same program: a PID reused since
        // would carry another name, and then only what the kernel recorded is reported.
        if let known = processes.identity(of: record.pid), known.name.hasPrefix(record.name) { identity = known }
        return .process(identity, .releasedSocket,
                        SocketEvidence(inode: inode, cookie: record.cookie, uid: record.uid))
    }

    /// The cookie of the socket a destroy event reported for the request's tuple: the first close at or after
    /// the flow's first frame (an earlier one was an earlier socket on a reused tuple). A close of an
    /// unconnected UDP socket carries no peer and maybe the wildcard address.
    func closedCookie(_ request: AttributionRequest) -> UInt64? {
        recentCloses.first(covering: request.key, since: request.firstSeen)?.cookie
    }

    /// The owner recorded at the release of the socket whose close, since the flow's first frame, was its
    /// tuple's own (a connected socket with the very tuple: never its listener's); nil when none came yet, its
    /// socket is `other` (the caller reads that socket's record itself), or no trusted record names a holder.
    func releasedThroughOwnClose(_ request: AttributionRequest, other: UInt64? = nil) -> Attribution? {
        guard let closed = recentCloses.first(ofTuple: request.key, since: request.firstSeen),
              closed.cookie != other else { return nil }
        return releasedOwner(request, cookie: closed.cookie, releasedAfterFirstFrame: true)
    }

    /// Whether a release record names the socket's owner rather than a process that only held a passing
    /// reference when the owner exited: the process that created the socket, or, for a connection accepted
    /// from a listener (created by the kernel, so with no creation record), a holder of that listener.
    func trusts(_ record: ReleasedSocket, for request: AttributionRequest) -> Bool {
        if let creator = record.creator { return creator == record.pid }
        // The listener as looked up within the last second: held by the releaser now, checked here, is what
        // makes it the server rather than a passer-by, whichever listener the port has since.
        guard request.key.proto == .tcp, let listener = recentListener(for: request.key) else { return false }
        return holdsListener(record.pid, listener.inode)
    }

    /// Whether `pid` holds the listener `inode`, as seen within the last second: a server keeps its listener,
    /// and the release of each connection it accepted asks this (a readlink each, a tenth of procscope's CPU
    /// under churn). Bounded: past 1,024 listeners, it starts over.
    func holdsListener(_ pid: Int32, _ inode: UInt32) -> Bool {
        let now = wallClockNow()
        if let seen = listenerHolders[inode], seen.pid == pid, now.microseconds(since: seen.at) < 1_000_000 { return true }
        guard holdsWhereLastSeen(pid, inode) || scan(pid, for: inode) else { return false }
        if listenerHolders.count >= 1024 { listenerHolders.removeAll(keepingCapacity: true) }
        listenerHolders[inode] = (pid, now)
        return true
    }
}
