import Glibc
import ProcscopeCore

/// Finds the process that owns a flow's socket: the kernel's socket tables for the socket (inode, uid,
/// cookie, state), then the process the kernel's records name, confirmed among its /proc/PID/fd links; then
/// cheap candidates (newest processes, the socket's uid first); the host-wide search last, sliced
/// (`ProcessSweep`). Every OS input comes through `SocketTables`, `SocketRecords`, `FirstSendRecords` and a
/// `ProcFileSystem` root, so each decision is tested on tables in memory (`OwnershipResolverTests`).
/// Runs on the attribution worker thread only.
final class OwnershipResolver {
    enum Outcome {
        case answer(Attribution)
        /// The handshake is in flight, or the socket is gone and only its listener answers (accepted, used and
        /// closed before the look, with no record yet): ask again shortly.
        case retryLater
        /// The connection is established and waits in its listener's accept queue (no inode until
        /// `accept()`): ask again shortly. A queue is accepted from in order, so while this connection waits,
        /// younger ones of the same listener wait too (`RetrySchedule` asks for the oldest only).
        case awaitAccept(AcceptQueue)
        /// The socket is gone and its destroy event (queued by the kernel on a workqueue) not read yet: ask
        /// again as soon as the tuple's destroy event arrives, or after `patience` microseconds.
        case awaitClose(patience: Int64)
        /// No process the kernel's records or the cheap candidates name holds the socket: wait for the
        /// host-wide sweep (`ProcessSweep`) to pass, and ask again with `sweepFinished`.
        case awaitSweep(inode: UInt32)
    }

    /// The kernel's socket tables, in every namespace, and its reports of closed sockets: the way to a
    /// destroyed socket's cookie, and from it to the records.
    let tables: SocketTables
    let proc: ProcFileSystem
    let processes: ProcessTable
    /// The kernel's records of who created and who released each socket, when procscope could attach them.
    let records: SocketRecords?
    /// The kernel's record of which socket sent each flow's first SYN or echo request, when attached.
    let firstSends: FirstSendRecords?
    /// Where socket inodes were last seen held: verified with one readlink before trusted.
    private var holders = SocketHolderCache()
    /// Processes that recently owned a newly seen socket: scanned before the rest.
    private var recentOwners: [Int32] = []
    /// Where each process's newest sockets were found: tried with one readlink each before a whole table.
    private(set) var recentDescriptors = RecentSocketDescriptors()
    /// Listeners looked up for hints, by the endpoint they listen on (`recentListener`).
    private var recentListeners: [AcceptQueue: (listener: InetDiagMessage, at: Timestamp)] = [:]
    /// When destroy events were last read (`drainCloseEvents`).
    var lastCloseDrain = Timestamp.zero
    /// When closes too old to answer any lookup were last dropped, and how old that is.
    var lastClosesPruned = Timestamp.zero
    static let closesKeptMicros: Int64 = 10_000_000
    /// A lookup reads destroy events itself only when they were last read longer ago than this.
    static let lookupDrainMicros: Int64 = 50
    /// The holders of the listeners open when the capture began, found by the warm-up pass.
    var listenersAtStart = ListenersAtStart()
    /// Which process was last seen holding each listener, and when (`holdsListener`).
    var listenerHolders: [UInt32: (pid: Int32, at: Timestamp)] = [:]
    /// Cookies of connections seen before they were accepted, by tuple, until their lookup is answered.
    private var connectionCookies: [FlowKey: UInt64] = [:]
    /// Sockets credited to processes, followed until they close or change hands.
    let held = HeldSockets()
    /// Recent socket closes (destroy events), oldest first, bounded.
    var recentCloses = RecentCloses()
    /// The tuples of the closes taken since `takeClosedTuples` (`drainCloseEvents`): a waiter for a close
    /// looks again when one that can cover it came, however it was taken (at a wake, or inside a lookup).
    var closedTuples: [FlowKey] = []
    /// fds that could not be read during scans (EACCES), for the report.
    private(set) var deniedFDs = 0
    /// Processes whose whole descriptor table could not be read (bounded): a socket of their uid may be theirs.
    private var unreadableProcesses = Set<Int32>()
    /// Attempts before a handshake still in flight falls back to the listening socket's owner.
    let maxAttempts = 50
    /// When a connection that only its listener answers is looked up again while it waits for its close
    /// (microseconds after its first frame); past the last, its listener's owner is taken. The look at 2 ms
    /// is for a handshake answered with a SYN cookie, whose socket appears with its last ACK; after it, only
    /// the close can answer, and it comes when the server gets to the connection: under churn, 130 ms after
    /// the first frame. (Giving up at 50 ms, what `maxAttempts` retries took when the machine kept up, left
    /// 5,000 of 20,000 such connections of a server older than the capture unknown: its listener's holders
    /// are not known without a host-wide search.) Marks in time, not attempts: a connection may have used
    /// attempts waiting in its handshake before only the listener answered.
    static let listenerLooks: [Int64] = [2_000, 50_000, 250_000, 1_000_000]

    /// How long a listener-only connection that has waited `waited` microseconds since its first frame waits
    /// for its close before the next look; nil once the last mark has passed.
    static func listenerPatience(afterWaiting waited: Int64) -> Int64? {
        listenerLooks.first { $0 > waited }.map { $0 - waited }
    }

    init(tables: SocketTables, proc: ProcFileSystem, processes: ProcessTable, records: SocketRecords? = nil,
         firstSends: FirstSendRecords? = nil) {
        self.tables = tables
        self.proc = proc
        self.processes = processes
        self.records = records
        self.firstSends = firstSends
    }

    /// `sweepFinished`: a host-wide sweep that began after this lookup started waiting has passed.
    func resolve(_ request: AttributionRequest, attempt: Int, sweepFinished: Bool = false) -> Outcome {
        let outcome = resolveOnce(request, attempt: attempt, sweepFinished: sweepFinished)
        if case .answer = outcome { connectionCookies.removeValue(forKey: request.key) }
        return outcome
    }

    private func resolveOnce(_ request: AttributionRequest, attempt: Int, sweepFinished: Bool) -> Outcome {
        let key = request.key
        if (key.proto == .icmp || key.proto == .icmpv6) && key.hasPorts { return .answer(resolveEcho(request)) }
        if key.proto == .sctp { return .answer(resolveSCTP(request)) }
        if !key.hasPorts {
            if request.firstFrameOutgoing && request.firstICMPIsError {
                return .answer(.unknown(.kernelGenerated, detail: "\(key.proto) error sent by the kernel"))
            }
            return .answer(resolveRaw(request))
        }
        // Its tuple's own close already came (a connection only its listener answered, which waited for it; or
        // any connection looked up late): that socket's release record answers. The tables need not be asked:
        // they have only the listener to show (under churn, a sock_diag request per server-side connection),
        // or a newer connection on the reused tuple, whose owner did not send these frames (looked up 0.2-0.7 s
        // late, with procscope's threads at normal priority, 120-200 of 40,000 churn conversations were
        // answered with such a socket, which the session refused, and left unknown).
        if key.proto == .tcp, let released = releasedThroughOwnClose(request) { return .answer(released) }
        let socket: InetDiagMessage?
        do {
            socket = try tables.socket(key.proto, local: key.local, remote: key.remote, namespace: key.namespace)
        } catch let error as NamespaceUnreachable {
            return .answer(.unknown(.namespaceUnreachable, detail: "\(error)"))
        } catch let error as SystemCallError where error.isPermissionDenied {
            return .answer(.unknown(.permissionDenied, detail: "sock_diag refused the lookup: \(error)"))
        } catch {
            return .answer(.unknown(.lookupFailed, detail: "sock_diag lookup failed: \(error)"))
        }
        // For UDP the kernel may answer with another socket on the port (a server's) once the flow's own is gone.
        guard var socket, key.proto == .tcp || socket.local.port == key.local.port else {
            return gone(request, attempt: attempt)
        }

        var method = AttributionMethod.exactSocket
        if key.proto == .tcp {
            if socket.state == .timeWait {
                // A TIME_WAIT socket keeps the cookie of the socket it replaced, which the recorder knows.
                if let released = releasedOwner(request, socket: socket) { return .answer(released) }
                return .answer(.unknown(.timeWait, detail: "connection in TIME_WAIT: the kernel holds it, no process does"))
            }
            // Inode 0 in a state a socket only reaches before close() means it was never accept()ed yet:
            // its inode appears with the accept, so ask again. (A closed socket is in FIN_WAIT/LAST_ACK/CLOSING.)
            let handshakeInFlight = socket.state == .newSynReceived || socket.state == .synReceived
                || (socket.inode == 0 && (socket.state == .established || socket.state == .closeWait))
            if handshakeInFlight && socket.cookie != 0 { connectionCookies[key] = socket.cookie }
            // Only the listener answers once the connection's own socket is gone: accepted, used and closed
            // before the look. The recorder knows who released it, by the cookie seen in flight or the
            // cookie of the connection's destroy event.
            var neverAccepted = false
            if socket.state == .listen {
                drainCloseEvents(unlessWithin: Self.lookupDrainMicros)
                // The cookie seen in flight may be the handshake's request socket's, which the connection's
                // own socket (made at the last ACK) does not keep: its close's cookie is tried too.
                let seen = connectionCookies[key], closed = closedCookie(request)
                if let released = releasedOwner(request, cookie: seen)
                    ?? releasedOwner(request, cookie: closed, releasedAfterFirstFrame: true) {
                    return .answer(released)
                }
                // Its close was reported and no process released that socket at all: it was reset or dropped
                // in its listener's queue, before any accept() (a process's close() or exit records a release
                // before the socket is destroyed). Waiting for an accept that cannot come cost a lookup a
                // millisecond, 50 times, for each such connection of a churning server. A close whose socket
                // was released, but before this flow began, is an earlier connection's on the reused tuple
                // (its destroy event read late): this one's close is still to come.
                neverAccepted = closed.map { records?.lastHolder(cookie: $0) == nil } ?? false
            }
            let closesAnswer = closesLeadToOwners
            if socket.state == .listen && !neverAccepted && closesAnswer,
               let patience = Self.listenerPatience(afterWaiting: wallClockNow().microseconds(since: request.firstSeen)) {
                // Only the listener answers: the connection's socket was reset in the queue (out of the
                // tables, destroyed once accepted) or accepted, used and closed. Either way its close, when
                // the server gets to it, leads to the answer; asking the tables again meanwhile cannot (under
                // churn that was ten lookups a connection). Asked again now and then all the same: a SYN
                // answered with a cookie has no socket until the handshake's last ACK.
                return .awaitClose(patience: patience)
            }
            if socket.state == .listen || handshakeInFlight {
                // (A listener-only answer has had its waits for a close above.)
                let waitedEnough = socket.state == .listen && closesAnswer
                if attempt < maxAttempts && !neverAccepted && !waitedEnough {
                    let queued = socket.state == .established || socket.state == .closeWait
                    return queued ? .awaitAccept(AcceptQueue(key)) : .retryLater
                }
                // Never accepted in time: the listener's owner is the process the connection is queued for.
                guard let listener = try? listener(for: key) else {
                    return .answer(.unknown(.socketClosedBeforeLookup, detail: "handshake never completed and no listener on \(key.local)"))
                }
                // Credit the listener's owner only when exactly one process holds it: with a shared listener
                // (pre-fork servers) any one of them may have accepted, and a guess is not an attribution.
                guard let holders = listenerHolders(listener) else {
                    return .answer(.unknown(.socketClosedBeforeLookup, detail: "connection to \(key.local) ended before it was accepted; its listener predates the capture and the first pass over /proc has not finished, so its holders are not known without a host-wide search"))
                }
                guard holders.count == 1 else {
                    return .answer(.unknown(.socketClosedBeforeLookup, detail: "connection to \(key.local) ended before it was accepted; its listener is shared by \(holders.count) processes"))
                }
                socket = listener
                method = .listeningSocket
            } else if socket.local != key.local || socket.remote != key.remote {
                // Found by the tuple asked, then torn down before its answer was written: a connection reset
                // as it was looked up is unhashed, its local port read as 0. It is still the flow's socket
                // (its inode, if any, still held by the process that has not closed it yet). Under churn,
                // 2-11 server-side conversations in 40,000 were left `lookup-failed` for this.
                let tornDown = socket.local.port == 0 && socket.local.address == key.local.address
                    && socket.remote == key.remote
                guard tornDown else {
                    return .answer(.unknown(.lookupFailed, detail: "sock_diag answered with another socket (\(socket.local) <-> \(socket.remote))"))
                }
            }
        } else {
            if socket.remote.port == 0 && socket.remote.address.isUnspecified { method = .boundSocket }
        }
        guard socket.inode != 0 else {
            // Closed or torn down: this may be a newer connection on the reused tuple, the flow's own socket
            // closed before it. The capture loop reads destroy events too, and refuses the newer socket's answer
            // when it saw the flow's own close; so the events are read here first (unless within the last
            // 50 us), and that close's release record answers. (Under churn, 2 of 40,000 conversations.)
            if key.proto == .tcp {
                drainCloseEvents(unlessWithin: Self.lookupDrainMicros)
                if let released = releasedThroughOwnClose(request, other: socket.cookie) { return .answer(released) }
            }
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            // Closed by its owner with no release record to read yet: its destroy event, when it comes, wakes
            // this lookup, and the record is read then (as for a socket already gone). Answered at once, a
            // connection reset as it was looked up was left unknown (1-4 in 40,000 under churn).
            if let wait = awaitReleaseRecord(attempt: attempt) { return wait }
            return .answer(.unknown(.socketClosedBeforeLookup,
                                    detail: "socket closed by its owner; the kernel is finishing it in state \(socket.state)"))
        }
        let evidence = SocketEvidence(inode: socket.inode, cookie: socket.cookie, uid: socket.uid)
        // A connection accepted from a listener was created by the kernel, with no creation record: the
        // listener's holder (cached, or its creator) is the likely acceptor.
        var hints: [Int32] = []
        if key.proto == .tcp && !request.firstFrameOutgoing && method == .exactSocket,
           let listener = recentListener(for: key) {
            hints = [holders.holder(of: listener.inode)?.pid].compactMap { $0 } + kernelCandidates(cookie: listener.cookie)
        }
        let stillOwned = { [tables] () -> Bool in
            // Re-asked before a full scan: a socket its owner closed meanwhile has inode 0 or is gone.
            (try? tables.socket(key.proto, local: key.local, remote: key.remote, namespace: key.namespace))?.inode
                == socket.inode
        }
        switch owner(ofInode: socket.inode, uid: socket.uid, cookie: socket.cookie, outgoing: request.firstFrameOutgoing,
                     hints: hints, stillOwned: stillOwned, fullScan: .deferred(sweepFinished: sweepFinished)) {
        case .found(let pid, let cached):
            guard let identity = processes.identity(of: pid) else {
                return .answer(.unknown(.ownerExited, detail: "pid \(pid) held socket inode \(socket.inode) but exited before its identity could be read"))
            }
            // A listener's holder is credited because the listener was the only answer: say so, even when the
            // holder search itself hit the cache (`listenerHolders` has just filled it).
            let answeredBy = cached && method != .listeningSocket ? .cachedSocket : method
            return .answer(.process(identity, answeredBy, evidence))
        case .needsSweep:
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            // The release hook runs just after the exiting owner's fd table is gone: look once more before
            // waiting for the sweep.
            if records != nil && attempt < 2 { return .retryLater }
            return .awaitSweep(inode: socket.inode)
        case .notFound:
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            return .answer(noHolder(inode: socket.inode, uid: socket.uid))
        case .closedDuringSearch:
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            if records != nil && attempt < 2 { return .retryLater }
            return .answer(.unknown(.socketClosedBeforeLookup, detail: "socket inode \(socket.inode) (uid \(socket.uid)) was closed while procscope searched for its owner"))
        }
    }

    /// Why there is no socket, judged from the flow's first frame.
    static func noSocket(_ request: AttributionRequest) -> Attribution {
        let key = request.key
        if !request.firstFrameOutgoing {
            if key.proto != .tcp || request.firstTCPFlags.isConnectionOpen {
                let answer = key.proto == .tcp ? "the RST refusing it" : "any ICMP error answering it"
                return .unknown(.noSocket, detail: "nothing listens on \(key.proto) \(key.local); \(answer) is the kernel's")
            }
        } else if key.proto == .tcp && request.firstTCPFlags.contains(.rst) {
            return .unknown(.kernelGenerated, detail: "RST sent by the kernel for a tuple with no socket")
        }
        return .unknown(.socketClosedBeforeLookup, detail: "the socket was gone when procscope looked it up")
    }

    /// The LISTEN socket for a local endpoint: a lookup from an impossible peer falls through to it.
    func listener(for key: FlowKey) throws -> InetDiagMessage? {
        let nobody = Endpoint(address: key.local.address.isIPv4 ? .ipv4Any : .ipv6Any, port: 0)
        guard let socket = try tables.socket(.tcp, local: key.local, remote: nobody, namespace: key.namespace),
              socket.state == .listen else { return nil }
        return socket
    }

    /// The listener of an incoming connection's local endpoint, as looked up at most a second ago: only for
    /// hints, which are confirmed like any candidate, so a listener replaced since costs a failed guess,
    /// never a wrong answer. Under churn, looking it up again for every accepted connection was a sock_diag
    /// request per connection.
    func recentListener(for key: FlowKey) -> InetDiagMessage? {
        let queue = AcceptQueue(key), now = wallClockNow()
        if let known = recentListeners[queue], now.microseconds(since: known.at) < 1_000_000 { return known.listener }
        guard let listener = try? listener(for: key) else { return nil }
        // Bounded: past the limit, start over.
        if recentListeners.count >= 1024 { recentListeners.removeAll(keepingCapacity: true) }
        recentListeners[queue] = (listener, now)
        return listener
    }

    enum Search {
        case found(pid: Int32, cached: Bool)
        case notFound
        case closedDuringSearch
        /// No cheap candidate holds it: the host-wide sweep must run (`ProcessSweep`), the lookup waits.
        case needsSweep
    }

    /// How far `owner(ofInode:)` may go when no cheap candidate holds the socket.
    enum FullScan {
        /// Scan every process now (the rare raw and packet socket paths).
        case inline
        /// Never here: answer `.needsSweep`, or `.notFound` once a sweep that began after the lookup started
        /// waiting has finished without finding it.
        case deferred(sweepFinished: Bool)
    }

    /// The process holding `inode`: a verified cache hit; else the processes the kernel's records name (the
    /// socket's creator, then its children: the heirs of a handed-on socket) and the caller's hints; else the
    /// newest processes owned by `uid`; else every other process, in `fullScan`'s way (a socket created
    /// before setuid() keeps its old uid).
    func owner(ofInode inode: UInt32, uid: UInt32, cookie: UInt64 = 0, outgoing: Bool = true, hints: [Int32] = [],
               stillOwned: () -> Bool = { true }, fullScan: FullScan = .inline) -> Search {
        if let cached = holders.holder(of: inode) {
            if proc.holds(pid: cached.pid, fd: cached.fd, inode: inode) { return .found(pid: cached.pid, cached: true) }
            holders.forget(inode)
        }
        var tried = Set<Int32>()
        func firstHolder(_ candidates: some Sequence<Int32>) -> Int32? {
            for pid in candidates where tried.insert(pid).inserted && scan(pid, for: inode) { return pid }
            return nil
        }
        // The kernel's record first: one process's descriptors to read, however large the host.
        if let holder = firstHolder(kernelCandidates(cookie: cookie) + hints) { return found(holder) }
        // Cheap candidates next. A flow that starts outgoing is most likely a new client: the newest
        // processes (from the proc connector). One that starts incoming is a server's new connection: a new
        // inode in an old process, the listener's owner. Then processes that recently owned new sockets.
        // Lazily: the newest process is scanned before any older one is even stat()ed.
        let newest = processes.recent.reversed().lazy.filter { self.proc.ownerUID(of: $0) == uid }
        let hinted = recentOwners.reversed()
        let holder = outgoing ? (firstHolder(newest) ?? firstHolder(hinted)) : (firstHolder(hinted) ?? firstHolder(newest))
        if let holder { return found(holder) }
        guard stillOwned() else { return .closedDuringSearch }
        if case .deferred(let sweepFinished) = fullScan { return sweepFinished ? .notFound : .needsSweep }
        let order = processes.scanOrder(all: proc.processIDs())
        var others: [Int32] = []
        for pid in order where !tried.contains(pid) {
            guard proc.ownerUID(of: pid) == uid else {
                others.append(pid)
                continue
            }
            if scan(pid, for: inode) { return found(pid) }
        }
        for pid in others where scan(pid, for: inode) { return found(pid) }
        return .notFound
    }

    /// The processes the kernel recorded for a socket cookie: its creator (cgroup/sock_create), then the
    /// creator's children forked since the capture began (a socket handed on across fork + exec).
    func kernelCandidates(cookie: UInt64) -> [Int32] {
        guard cookie != 0, let creator = records?.creator(cookie: cookie) else { return [] }
        return [creator] + processes.descendants(of: creator)
    }

    /// Whether the socket's holder is cached: a sweep slice may have found it.
    func knowsHolder(of inode: UInt32) -> Bool { holders.knows(inode) }

    /// One process of the host-wide sweep: caches where the sockets waited for are held (only those: a
    /// busy host's other 100,000 descriptors stay out of memory).
    func sweep(_ pid: Int32, for inodes: Set<UInt32>) {
        for (fd, inode) in readSockets(of: pid) where inodes.contains(inode) {
            holders.note(inode, pid: pid, fd: fd)
            listenersAtStart.note(inode, heldBy: pid)
        }
    }

    /// Notes `pid` as a recent owner of a new socket (bounded, most recent last).
    private func found(_ pid: Int32) -> Search {
        recentOwners.removeAll { $0 == pid }
        recentOwners.append(pid)
        if recentOwners.count > 8 { recentOwners.removeFirst() }
        return .found(pid: pid, cached: false)
    }

    /// Whether `pid` holds `inode` at the descriptor the cache last saw it at (one readlink); false when it
    /// was last seen elsewhere, or not at all. (`owner(ofInode:)` asks the cache itself, whoever the holder.)
    func holdsWhereLastSeen(_ pid: Int32, _ inode: UInt32) -> Bool {
        guard let known = holders.holder(of: inode), known.pid == pid else { return false }
        return proc.holds(pid: pid, fd: known.fd, inode: inode)
    }

    /// Whether `pid` holds `inode`: first at the descriptors its newest sockets had (`recentDescriptors`), else
    /// reading its whole table, which records every socket of `pid` in the cache.
    func scan(_ pid: Int32, for inode: UInt32) -> Bool {
        for fd in recentDescriptors.guesses(for: pid) where proc.holds(pid: pid, fd: fd, inode: inode) {
            holders.note(inode, pid: pid, fd: fd)
            recentDescriptors.note(fd, of: pid)
            return true
        }
        var found = false
        for (fd, socketInode) in readSockets(of: pid) {
            holders.note(socketInode, pid: pid, fd: fd)
            if socketInode == inode {
                found = true
                recentDescriptors.note(fd, of: pid)
            }
        }
        return found
    }

    /// The sockets `pid` holds; a process whose descriptor table could not be read at all is noted
    /// (`unreadableProcesses`), so a socket of its uid found nowhere is not said to have lost its owner.
    private func readSockets(of pid: Int32) -> [(fd: Int32, inode: UInt32)] {
        var tableDenied = false
        let sockets = proc.sockets(of: pid, deniedCount: &deniedFDs, tableDenied: &tableDenied)
        if tableDenied && unreadableProcesses.count < 4096 { unreadableProcesses.insert(pid) }
        return sockets
    }

    /// Why a socket of `uid` that is still open was found in no process: its owner exited, or, when processes
    /// of that uid could not be searched, a missing permission (never a guess that it exited).
    func noHolder(inode: UInt32, uid: UInt32) -> Attribution {
        // Their uids are read here, on this rare path, not at every scan; a process gone since holds nothing.
        let hidden = unreadableProcesses.filter { proc.ownerUID(of: $0) == uid }
        if !hidden.isEmpty {
            let pids = hidden.sorted().prefix(5).map(String.init).joined(separator: ", ")
            return .unknown(.permissionDenied, detail: "socket inode \(inode) (uid \(uid)) is open, but the descriptors of "
                            + "\(hidden.count) process(es) of uid \(uid) could not be read (pids \(pids)): procscope needs "
                            + "cap_sys_ptrace and cap_dac_read_search (or root) to search them")
        }
        return .unknown(.ownerExited, detail: "socket inode \(inode) (uid \(uid)) is still open but no process holds it: its owner exited")
    }

    /// Every process that holds a listener, when that is known without a host-wide search (which would hold up
    /// every other lookup): a listener created during the capture is held by its creator and the children it
    /// forked since. Without the kernel's records (no eBPF), every process is scanned, as before them.
    func listenerHolders(_ listener: InetDiagMessage) -> [Int32]? {
        guard let records else { return proc.processIDs().filter { scan($0, for: listener.inode) } }
        // Made during the capture: its creator; made before: the processes the warm-up pass found holding it.
        // Either way with their children forked since, which inherited it.
        let ancestors: [Int32]
        if let creator = records.creator(cookie: listener.cookie) {
            ancestors = [creator]
        } else if let atStart = listenersAtStart.holders(of: listener.inode) {
            ancestors = atStart
        } else {
            return nil
        }
        var candidates: [Int32] = []
        for pid in ancestors.flatMap({ [$0] + processes.descendants(of: $0) }) where !candidates.contains(pid) {
            candidates.append(pid)
        }
        return candidates.filter { holdsListener($0, listener.inode) }
    }

    /// The inet sockets that exist now (sock_diag dumps: TCP, UDP, UDP-Lite; IPv4 and IPv6), whose owners the
    /// worker's warm-up pass caches so flows that existed before the capture resolve at once. The pass
    /// reads every process's fds (~0.3 s on a host of 2,000 x 50 sockets), so the worker does it in slices
    /// between lookups instead of before the first (`AttributionWorker.run`); unix and other sockets stay
    /// out of the cache.
    func warmUpInodes() -> Set<UInt32> {
        let sockets = tables.inetSockets()
        listenersAtStart.expect(sockets.lazy.filter { $0.state == .listen }.map(\.inode))
        let inet = Set(sockets.map(\.inode).filter { $0 != 0 })
        // The first user-name lookup loads the NSS modules (~1 ms): pay it now, not on a short-lived flow.
        _ = processes.reader.identity(of: getpid())
        return inet
    }
}
