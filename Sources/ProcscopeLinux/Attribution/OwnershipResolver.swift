import Glibc
import ProcscopeCore

/// Finds the process that owns a flow's socket: sock_diag exact lookup for the socket (inode, uid, cookie,
/// state), then the socket inode among /proc/PID/fd links, newest processes and the socket's uid first.
/// Runs on the attribution worker thread only.
final class OwnershipResolver {
    enum Outcome {
        case answer(Attribution)
        /// The handshake is in flight (request socket, or accepted connection not yet `accept()`ed):
        /// ask again shortly, when the connection's own socket has an inode.
        case retryLater
        /// The socket is gone and its destroy event (queued by the kernel on a workqueue) not read yet: ask
        /// again as soon as a destroy event arrives (`closeEventsDescriptor` readable), or shortly.
        case awaitClose
    }

    let diag: SockDiagClient
    let proc: ProcFileSystem
    let processes: ProcessTable
    /// The kernel's record of who released each socket, when procscope could attach it.
    let recorder: SocketReleaseRecorder?
    /// The kernel's record of which socket sent each flow's first SYN or echo request, when attached.
    let firstSends: FirstSendRecorder?
    /// The host's other network namespaces, and a sock_diag socket made inside each one asked about.
    let namespaces: NetworkNamespaces?
    private var namespaceClients: [UInt16: SockDiagClient] = [:]
    /// The resolver's own subscription to socket destroy events (cookie and tuple of every closed socket),
    /// read on demand: the way to a destroyed socket's cookie, and from it to the recorder.
    let closeEvents: SockDiagClient?
    /// Where each socket inode was last seen: verified with one readlink before it is trusted.
    private var inodeOwners: [UInt32: (pid: Int32, fd: Int32)] = [:]
    /// Processes that recently owned a newly seen socket: scanned before the rest.
    private var recentOwners: [Int32] = []
    /// Cookies of connections seen before they were accepted, by tuple, until their lookup is answered.
    private var connectionCookies: [FlowKey: UInt64] = [:]
    /// Recent socket closes (destroy events), oldest first, bounded.
    var recentCloses: [SocketClosed] = []
    /// fds that could not be read during scans (EACCES), for the report.
    private(set) var deniedFDs = 0
    /// Attempts before a handshake still in flight falls back to the listening socket's owner.
    let maxAttempts = 50

    init(diag: SockDiagClient, proc: ProcFileSystem, processes: ProcessTable, recorder: SocketReleaseRecorder? = nil,
         firstSends: FirstSendRecorder? = nil, namespaces: NetworkNamespaces? = nil) {
        self.diag = diag
        self.proc = proc
        self.processes = processes
        self.recorder = recorder
        self.firstSends = firstSends
        self.namespaces = namespaces
        closeEvents = recorder == nil ? nil : try? SockDiagClient(groups: SockDiagClient.destroyGroups)
    }

    func resolve(_ request: AttributionRequest, attempt: Int) -> Outcome {
        let outcome = resolveOnce(request, attempt: attempt)
        if case .answer = outcome { connectionCookies.removeValue(forKey: request.key) }
        return outcome
    }

    private func resolveOnce(_ request: AttributionRequest, attempt: Int) -> Outcome {
        let key = request.key
        if (key.proto == .icmp || key.proto == .icmpv6) && key.hasPorts { return .answer(resolveEcho(request)) }
        if key.proto == .sctp { return .answer(resolveSCTP(request)) }
        if !key.hasPorts {
            if request.firstFrameOutgoing && request.firstICMPIsError {
                return .answer(.unknown(.kernelGenerated, detail: "\(key.proto) error sent by the kernel"))
            }
            return .answer(resolveRaw(request))
        }
        let socket: InetDiagMessage?
        let diag: SockDiagClient
        do {
            diag = try client(for: key.namespace)
        } catch {
            return .answer(.unknown(.namespaceUnreachable, detail: "\(error)"))
        }
        do {
            socket = try diag.lookup(proto: key.proto, local: key.local, remote: key.remote)
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
            // Only the listener answers after the connection's own socket was seen: it is gone already,
            // accepted, used and closed between two looks. The recorder knows who released it.
            if socket.state == .listen, let released = releasedOwner(request, cookie: connectionCookies[key]) {
                return .answer(released)
            }
            if socket.state == .listen || handshakeInFlight {
                if attempt < maxAttempts { return .retryLater }
                // Never accepted in time: the listener's owner is the process the connection is queued for.
                guard let listener = try? listener(for: key) else {
                    return .answer(.unknown(.socketClosedBeforeLookup, detail: "handshake never completed and no listener on \(key.local)"))
                }
                // Credit the listener's owner only when exactly one process holds it: with a shared listener
                // (pre-fork servers) any one of them may have accepted, and a guess is not an attribution.
                let holders = self.holders(of: listener.inode)
                guard holders.count == 1 else {
                    return .answer(.unknown(.socketClosedBeforeLookup, detail: "connection to \(key.local) ended before it was accepted; its listener is shared by \(holders.count) processes"))
                }
                socket = listener
                method = .listeningSocket
            } else if socket.local != key.local || socket.remote != key.remote {
                return .answer(.unknown(.lookupFailed, detail: "sock_diag answered with another socket (\(socket.local) <-> \(socket.remote))"))
            }
        } else {
            if socket.remote.port == 0 && socket.remote.address.isUnspecified { method = .boundSocket }
        }
        guard socket.inode != 0 else {
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            return .answer(.unknown(.socketClosedBeforeLookup,
                                    detail: "socket closed by its owner; the kernel is finishing it in state \(socket.state)"))
        }
        let evidence = SocketEvidence(inode: socket.inode, cookie: socket.cookie, uid: socket.uid)
        var hint: Int32?
        if key.proto == .tcp && !request.firstFrameOutgoing && method == .exactSocket,
           let listener = try? listener(for: key) {
            hint = inodeOwners[listener.inode]?.pid
        }
        let stillOwned = { [diag] () -> Bool in
            // Re-asked before a full scan: a socket its owner closed meanwhile has inode 0 or is gone.
            (try? diag.lookup(proto: key.proto, local: key.local, remote: key.remote))?.inode == socket.inode
        }
        switch owner(ofInode: socket.inode, uid: socket.uid, outgoing: request.firstFrameOutgoing, hint: hint,
                     stillOwned: stillOwned) {
        case .found(let pid, let cached):
            guard let identity = processes.identity(of: pid) else {
                return .answer(.unknown(.ownerExited, detail: "pid \(pid) held socket inode \(socket.inode) but exited before its identity could be read"))
            }
            return .answer(.process(identity, cached ? .cachedSocket : method, evidence))
        case .notFound:
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            // The release hook runs just after the exiting owner's fd table is gone: look once more.
            if recorder != nil && attempt < 2 { return .retryLater }
            return .answer(.unknown(.ownerExited, detail: "socket inode \(socket.inode) (uid \(socket.uid)) is still open but no process holds it: its owner exited"))
        case .closedDuringSearch:
            if let released = releasedOwner(request, socket: socket) { return .answer(released) }
            if recorder != nil && attempt < 2 { return .retryLater }
            return .answer(.unknown(.socketClosedBeforeLookup, detail: "socket inode \(socket.inode) (uid \(socket.uid)) was closed while procscope searched for its owner"))
        }
    }

    /// The sock_diag socket for a flow's namespace: procscope's own, or one made inside the other namespace
    /// (a socket keeps the namespace it was created in) and kept.
    func client(for namespace: UInt16) throws -> SockDiagClient {
        if namespace == 0 { return diag }
        if let known = namespaceClients[namespace] { return known }
        guard let member = namespaces?.member(namespace) else {
            throw SystemCallError(call: "setns", errno: ENOENT, subject: "network namespace #\(namespace)")
        }
        let client = try NetworkNamespace(path: member.path).run { try SockDiagClient() }
        namespaceClients[namespace] = client
        return client
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
        guard let socket = try client(for: key.namespace).lookup(proto: .tcp, local: key.local, remote: nobody),
              socket.state == .listen else { return nil }
        return socket
    }

    enum Search {
        case found(pid: Int32, cached: Bool)
        case notFound
        case closedDuringSearch
    }

    /// The process holding `inode`: a verified cache hit; else a scan of processes owned by `uid`, newest
    /// first; else of every other process (a socket created before setuid() keeps its old uid).
    func owner(ofInode inode: UInt32, uid: UInt32, outgoing: Bool = true, hint: Int32? = nil,
               stillOwned: () -> Bool = { true }) -> Search {
        if let cached = inodeOwners[inode] {
            if proc.holds(pid: cached.pid, fd: cached.fd, inode: inode) { return .found(pid: cached.pid, cached: true) }
            inodeOwners.removeValue(forKey: inode)
        }
        // Cheap candidates first. A flow that starts outgoing is most likely a new client: the newest
        // processes (from the proc connector). One that starts incoming is a server's new connection: a new
        // inode in an old process, the listener's owner. Then processes that recently owned new sockets.
        // Lazily: the newest process is scanned before any older one is even stat()ed.
        let newest = processes.recent.reversed().lazy.filter { self.proc.ownerUID(of: $0) == uid }
        let hinted = [hint].compactMap { $0 } + recentOwners.reversed()
        var tried = Set<Int32>()
        func firstHolder(_ candidates: some Sequence<Int32>) -> Int32? {
            for pid in candidates where tried.insert(pid).inserted && scan(pid, for: inode) { return pid }
            return nil
        }
        let holder = outgoing ? (firstHolder(newest) ?? firstHolder(hinted)) : (firstHolder(hinted) ?? firstHolder(newest))
        if let holder { return found(holder) }
        guard stillOwned() else { return .closedDuringSearch }
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

    /// Notes `pid` as a recent owner of a new socket (bounded, most recent last).
    private func found(_ pid: Int32) -> Search {
        recentOwners.removeAll { $0 == pid }
        recentOwners.append(pid)
        if recentOwners.count > 8 { recentOwners.removeFirst() }
        return .found(pid: pid, cached: false)
    }

    /// Records every socket of `pid` in the cache; true when one of them is `inode`.
    func scan(_ pid: Int32, for inode: UInt32) -> Bool {
        var found = false
        for (fd, socketInode) in proc.sockets(of: pid, deniedCount: &deniedFDs) {
            inodeOwners[socketInode] = (pid, fd)
            if socketInode == inode { found = true }
        }
        return found
    }

    /// Every process that holds `inode` (a full scan: only for the rare listener fallback).
    func holders(of inode: UInt32) -> [Int32] {
        proc.processIDs().filter { scan($0, for: inode) }
    }

    /// Fills the inode cache with the owners of the inet sockets that exist now, so flows that existed before
    /// the capture resolve at once: sock_diag dumps (TCP, UDP, UDP-Lite; IPv4 and IPv6) say which inodes are
    /// inet sockets, one pass over every process's fds says who holds them (unix and other sockets stay out).
    func warmUp() {
        var inet = Set<UInt32>()
        for proto in [IPProtocol.tcp, .udp, .udpLite] {
            for ipv6 in [false, true] {
                for socket in (try? diag.dump(proto: proto, ipv6: ipv6)) ?? [] where socket.inode != 0 {
                    inet.insert(socket.inode)
                }
            }
        }
        for pid in proc.processIDs() {
            for (fd, inode) in proc.sockets(of: pid, deniedCount: &deniedFDs) where inet.isEmpty || inet.contains(inode) {
                inodeOwners[inode] = (pid, fd)
            }
        }
        // The first user-name lookup loads the NSS modules (~1 ms): pay it now, not on a short-lived flow.
        _ = processes.reader.identity(of: getpid())
    }
}
