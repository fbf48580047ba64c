import Glibc
@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// The resolver's decisions, on socket tables and kernel records in memory and a /proc tree in a temporary
/// directory: which source answers, and the reason given when none can. No root, no live kernel.
@Suite struct OwnershipResolverTests {
    static let client = Endpoint(address: .ipv4Loopback, port: 40000)
    static let server = Endpoint(address: .ipv4Loopback, port: 8080)
    static let wildcard = Endpoint(address: .ipv4Any, port: 0)
    static let key = FlowKey(proto: .tcp, local: client, remote: server, hasPorts: true)

    let tree: ProcTree
    let tables = FakeSocketTables()
    let records = FakeSocketRecords()
    let processes: ProcessTable
    let resolver: OwnershipResolver

    init() throws {
        tree = try ProcTree()
        let proc = ProcFileSystem(root: tree.root)
        processes = ProcessTable(reader: ProcessIdentityReader(proc: proc, clockTicksPerSecond: 100, userNames: { _ in nil }))
        resolver = OwnershipResolver(tables: tables, proc: proc, processes: processes, records: records)
        // A host of other processes holding sockets, none of them the flow's.
        for pid in Int32(2000)..<2040 { try tree.addProcess(pid, name: "idle", sockets: [UInt32(pid) * 10, UInt32(pid) * 10 + 1]) }
    }

    static func socket(_ local: Endpoint, _ remote: Endpoint, state: TCPState = .established, inode: UInt32,
                       cookie: UInt64) -> InetDiagMessage {
        InetDiagMessage(family: 2, state: state, sourcePort: local.port, destinationPort: remote.port,
                        source: local.address, destination: remote.address, interfaceIndex: 0, cookie: cookie,
                        uid: getuid(), inode: inode)
    }

    static func identity(_ pid: Int32) -> ProcessIdentity {
        ProcessIdentity(pid: pid, startTime: .zero, name: "p", executable: nil, commandLine: [], uid: 0, userName: nil,
                        networkNamespace: 0, cgroup: nil)
    }

    /// A request for `key` whose first frame was seen a second ago.
    static func request(_ key: FlowKey = key, outgoing: Bool = true, flags: TCPFlags = [.syn]) -> AttributionRequest {
        AttributionRequest(conversation: 0, key: key, firstSeen: Timestamp(microseconds: wallClockNow().microseconds - 1_000_000),
                           firstFrameOutgoing: outgoing, firstTCPFlags: flags)
    }

    static func pid(_ outcome: OwnershipResolver.Outcome) -> (Int32, AttributionMethod)? {
        guard case .answer(.process(let identity, let method, _)) = outcome else { return nil }
        return (identity.pid, method)
    }

    /// What the kernel's release hook records for `cookie`: released by `pid` now, created by `creator`.
    static func release(_ cookie: UInt64, by pid: Int32, creator: Int32?, name: String) -> ReleasedSocket {
        ReleasedSocket(pid: pid, uid: getuid(), cookie: cookie, releasedAt: wallClockNow(), creator: creator, name: name)
    }

    /// The destroy event of a TCP socket between `local` and `remote` (gone from the tables: inode 0).
    static func closeEvent(_ local: Endpoint, _ remote: Endpoint, cookie: UInt64) -> SocketCloseEvent {
        SocketCloseEvent(socket: socket(local, remote, inode: 0, cookie: cookie), proto: .tcp, namespace: 0)
    }

    /// A connection never accepted goes to its listener's holder when one process holds it, else is unknown.
    static func expectListenersHolder(_ outcome: OwnershipResolver.Outcome, holders: Int) throws {
        if holders == 1 {
            let answer = try #require(pid(outcome))
            #expect(answer.0 == 3500 && answer.1 == .listeningSocket)
        } else {
            #expect(reason(outcome) == .socketClosedBeforeLookup)
        }
    }

    static func reason(_ outcome: OwnershipResolver.Outcome) -> UnknownReason? {
        guard case .answer(.unknown(let reason, _)) = outcome else { return nil }
        return reason
    }

    @Test("A socket its creator holds is answered from the kernel's creation record, with no host-wide search")
    func creatorRecordAnswersWithoutSweep() throws {
        defer { tree.remove() }
        try tree.addProcess(3000, name: "curl", sockets: [777])
        tables.add(.tcp, Self.socket(Self.client, Self.server, inode: 777, cookie: 9))
        // Without the record, no cheap candidate holds it: the lookup waits for the sliced sweep.
        guard case .awaitSweep(let inode) = resolver.resolve(Self.request(), attempt: 2) else {
            Issue.record("expected to wait for the sweep without a creation record")
            return
        }
        #expect(inode == 777)
        records.creators[9] = 3000
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 0)))
        #expect(answer.0 == 3000 && answer.1 == .exactSocket)
    }

    @Test("The creator's child, forked during the capture, is found when the creator handed the socket on")
    func creatorsChildIsACandidate() throws {
        defer { tree.remove() }
        try tree.addProcess(3000, name: "launcher")
        try tree.addProcess(3001, name: "worker", sockets: [778])
        processes.handle(.fork(parent: 3000, child: 3001), now: wallClockNow())
        records.creators[10] = 3000
        tables.add(.tcp, Self.socket(Self.client, Self.server, inode: 778, cookie: 10))
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 0)))
        #expect(answer.0 == 3001)
    }

    @Test("A process opening socket after socket on one descriptor is credited each time; a descriptor that now holds another socket sends the search on to the whole table and the creator's child")
    func reusedDescriptorConfirmsOnlyTheSocketItHolds() throws {
        defer { tree.remove() }
        func lookup(port: UInt16, inode: UInt32, cookie: UInt64) -> Int32? {
            let client = Endpoint(address: .ipv4Loopback, port: port)
            tables.add(.tcp, Self.socket(client, Self.server, inode: inode, cookie: cookie))
            records.creators[cookie] = 3000
            let key = FlowKey(proto: .tcp, local: client, remote: Self.server, hasPorts: true)
            return Self.pid(resolver.resolve(Self.request(key), attempt: 0))?.0
        }
        try tree.addProcess(3000, name: "loop", sockets: [900])
        try tree.hold(777, pid: 3000, fd: 4)
        #expect(lookup(port: 41001, inode: 777, cookie: 21) == 3000)
        #expect(resolver.recentDescriptors.guesses(for: 3000) == [4])
        // Closed and opened again: the same descriptor, a new socket.
        #expect(unlink("\(tree.root)/3000/fd/4") == 0)
        try tree.hold(779, pid: 3000, fd: 4)
        #expect(lookup(port: 41002, inode: 779, cookie: 22) == 3000)
        // The next socket lands elsewhere while descriptor 4 holds the last one: found through the whole table.
        try tree.hold(781, pid: 3000, fd: 6)
        #expect(lookup(port: 41003, inode: 781, cookie: 23) == 3000)
        #expect(resolver.recentDescriptors.guesses(for: 3000) == [6, 4])
        // A socket the process created and handed to its child: neither guess nor its own table names it.
        try tree.addProcess(3001, name: "child", sockets: [783])
        processes.handle(.fork(parent: 3000, child: 3001), now: wallClockNow())
        #expect(lookup(port: 41004, inode: 783, cookie: 24) == 3001)
    }

    @Test("Descriptor guesses are the few most recent per process, for a bounded number of processes; the lowest after stdio for a process not seen yet")
    func descriptorGuessesAreBounded() {
        var recent = RecentSocketDescriptors()
        for fd: Int32 in [3, 4, 5, 3, 6, 7] { recent.note(fd, of: 10) }
        #expect(recent.guesses(for: 10) == [7, 6, 3, 5])
        for pid in Int32(100)..<Int32(100 + RecentSocketDescriptors.processes - 1) { recent.note(3, of: pid) }
        #expect(recent.count == RecentSocketDescriptors.processes)
        recent.note(3, of: 99_999)
        #expect(recent.count == 1 && recent.guesses(for: 10) == RecentSocketDescriptors.firstSocketGuesses
                && recent.guesses(for: 99_999) == [3])
    }

    @Test("A socket nobody holds waits for the sweep, then is owner-exited; it is never credited by guess")
    func socketWithoutHolderIsOwnerExitedAfterTheSweep() throws {
        defer { tree.remove() }
        tables.add(.tcp, Self.socket(Self.client, Self.server, inode: 779, cookie: 11))
        // Looked at again once: the release hook runs just after an exiting owner's fds are gone.
        guard case .retryLater = resolver.resolve(Self.request(), attempt: 0) else {
            Issue.record("expected one more look before the sweep")
            return
        }
        guard case .awaitSweep = resolver.resolve(Self.request(), attempt: 2) else {
            Issue.record("expected to wait for the sweep")
            return
        }
        #expect(Self.reason(resolver.resolve(Self.request(), attempt: 3, sweepFinished: true)) == .ownerExited)
    }

    @Test("Connections only their listener answered are credited, once their own close came, from its release record without asking the socket tables again")
    func closedConnectionIsAnsweredWithoutAnotherTableLookup() throws {
        defer { tree.remove() }
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        records.creators[20] = 3500
        try tree.addProcess(3500, name: "server", sockets: [900])
        for (port, cookie) in [(UInt16(41000), UInt64(51)), (41001, 52)] {
            let client = Endpoint(address: .ipv4Loopback, port: port)
            let incoming = FlowKey(proto: .tcp, local: Self.server, remote: client, hasPorts: true)
            let request = AttributionRequest(conversation: 0, key: incoming, firstSeen: wallClockNow(),
                                             firstFrameOutgoing: false, firstTCPFlags: [.syn])
            // Accepted and closed before the first look: only the listener answers, and its close is not in.
            guard case .awaitClose = resolver.resolve(request, attempt: 0) else {
                Issue.record("expected to wait for the connection's close")
                return
            }
            // The close comes, released by the server (an accepted socket has no creation record).
            tables.closes = [SocketCloseEvent(socket: Self.socket(Self.server, client, state: .close, inode: 0, cookie: cookie),
                                              proto: .tcp, namespace: 0)]
            records.releases[cookie] = ReleasedSocket(pid: 3500, uid: getuid(), cookie: cookie, releasedAt: wallClockNow(),
                                                      creator: nil, name: "server")
            resolver.drainCloseEvents()
            let before = tables.lookups
            let answer = try #require(Self.pid(resolver.resolve(request, attempt: 1)))
            #expect(answer.0 == 3500 && answer.1 == .releasedSocket)
            // The first connection's answer looks up the listener once (the releaser must hold it); the next
            // one's nothing: its close and the listener looked up within the second answer it.
            #expect(tables.lookups - before == (port == 41000 ? 1 : 0))
        }
    }

    @Test("A connection torn down as it was looked up (its local port read as 0) is still its own socket, credited to its holder; another socket is not")
    func tornDownConnectionIsStillItsOwnSocket() throws {
        defer { tree.remove() }
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        let unhashed = Endpoint(address: Self.server.address, port: 0)
        try tree.addProcess(3600, name: "server", sockets: [910])
        records.creators[61] = 3600
        tables.sockets[FakeSocketTables.Tuple(proto: .tcp, local: Self.server, remote: Self.client, namespace: 0)] =
            Self.socket(unhashed, Self.client, state: .close, inode: 910, cookie: 61)
        let answer = try #require(Self.pid(resolver.resolve(Self.request(incoming, outgoing: false), attempt: 0)))
        #expect(answer.0 == 3600)
        // An answer for another peer is not the flow's socket, whatever its local port.
        tables.sockets[FakeSocketTables.Tuple(proto: .tcp, local: Self.server, remote: Self.client, namespace: 0)] =
            Self.socket(unhashed, Endpoint(address: Self.client.address, port: 40999), state: .close, inode: 910, cookie: 61)
        #expect(Self.reason(resolver.resolve(Self.request(incoming, outgoing: false), attempt: 0)) == .lookupFailed)
    }

    @Test("A socket found closed by its owner before its release could be read waits for its close, then is credited from the record")
    func closedSocketWithoutRecordWaitsForItsClose() throws {
        defer { tree.remove() }
        tables.add(.tcp, Self.socket(Self.client, Self.server, state: .finWait1, inode: 0, cookie: 71))
        guard case .awaitClose = resolver.resolve(Self.request(), attempt: 0) else {
            Issue.record("expected to wait for the close")
            return
        }
        records.releases[71] = ReleasedSocket(pid: 3700, uid: getuid(), cookie: 71, releasedAt: wallClockNow(),
                                              creator: 3700, name: "client")
        tables.closes = [SocketCloseEvent(socket: Self.socket(Self.client, Self.server, state: .close, inode: 0, cookie: 71),
                                          proto: .tcp, namespace: 0)]
        resolver.drainCloseEvents()
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 1)))
        #expect(answer.0 == 3700 && answer.1 == .releasedSocket)
        // Without a record by the last attempt: unknown, with the reason.
        records.releases[71] = nil
        #expect(Self.reason(resolver.resolve(Self.request(), attempt: 3)) == .socketClosedBeforeLookup)
    }

    @Test("A socket whose owner exited holding it is credited to the releaser when the releaser created it")
    func releaseRecordOfTheCreatorIsTrusted() throws {
        defer { tree.remove() }
        tables.add(.tcp, Self.socket(Self.client, Self.server, inode: 780, cookie: 12))
        records.releases[12] = ReleasedSocket(pid: 3100, uid: getuid(), cookie: 12, releasedAt: wallClockNow(),
                                              creator: 3100, name: "short")
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 0)))
        #expect(answer.0 == 3100 && answer.1 == .releasedSocket)
    }

    @Test("A flow whose socket is gone is credited through its close report's cookie to the process that released it")
    func goneSocketIsCreditedThroughItsClose() throws {
        defer { tree.remove() }
        let closed = Self.socket(Self.client, Self.server, inode: 0, cookie: 13)
        tables.closes = [SocketCloseEvent(socket: closed, proto: .tcp, namespace: 0)]
        records.releases[13] = ReleasedSocket(pid: 3200, uid: getuid(), cookie: 13, releasedAt: wallClockNow(),
                                              creator: 3200, name: "gone")
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 0)))
        #expect(answer.0 == 3200 && answer.1 == .releasedSocket)
    }

    @Test("A connection looked up after its own close, its tuple reused by a newer connection, is credited from its own socket's release, not to the newer socket's holder")
    func lateLookupOnAReusedTupleIsCreditedFromItsOwnClose() throws {
        defer { tree.remove() }
        // The newer connection on the same tuple, held by another process.
        tables.add(.tcp, Self.socket(Self.client, Self.server, inode: 950, cookie: 41))
        try tree.addProcess(3600, name: "newer", sockets: [950])
        // The flow's own socket: closed by its creator, after the flow's first frame.
        tables.closes = [Self.closeEvent(Self.client, Self.server, cookie: 40)]
        records.releases[40] = Self.release(40, by: 3500, creator: 3500, name: "first")
        resolver.drainCloseEvents()
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 0)))
        #expect(answer.0 == 3500 && answer.1 == .releasedSocket)
    }

    @Test("A closed newer socket on the reused tuple is not taken for the flow's: the flow's own close, not read yet, is read and answers")
    func closedNewerSocketOnAReusedTupleIsNotTheFlows() throws {
        defer { tree.remove() }
        // The newer connection on the tuple, closed too (inode 0), released by its own creator.
        tables.add(.tcp, Self.socket(Self.client, Self.server, state: .finWait1, inode: 0, cookie: 41))
        records.releases[41] = Self.release(41, by: 3600, creator: 3600, name: "newer")
        // The flow's own socket's close, reported but not read by the resolver yet.
        tables.closes = [Self.closeEvent(Self.client, Self.server, cookie: 40)]
        records.releases[40] = Self.release(40, by: 3500, creator: 3500, name: "first")
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 0)))
        #expect(answer.0 == 3500 && answer.1 == .releasedSocket)
    }

    @Test("A release by a process that did not create the socket (a passing reference) is not trusted")
    func releaseByANonCreatorIsNotTrusted() throws {
        defer { tree.remove() }
        tables.closes = [SocketCloseEvent(socket: Self.socket(Self.client, Self.server, inode: 0, cookie: 14), proto: .tcp, namespace: 0)]
        records.releases[14] = ReleasedSocket(pid: 3300, uid: getuid(), cookie: 14, releasedAt: wallClockNow(),
                                              creator: 3301, name: "lsof")
        guard case .awaitClose = resolver.resolve(Self.request(), attempt: 0) else {
            Issue.record("expected to wait for a close report first")
            return
        }
        #expect(Self.reason(resolver.resolve(Self.request(), attempt: 3)) == .socketClosedBeforeLookup)
    }

    @Test("A close reported before the flow's first frame is an earlier socket on a reused tuple: not its owner")
    func closeBeforeTheFirstFrameIsAnotherSocket() throws {
        defer { tree.remove() }
        tables.closes = [SocketCloseEvent(socket: Self.socket(Self.client, Self.server, inode: 0, cookie: 15), proto: .tcp, namespace: 0)]
        let earlier = Timestamp(microseconds: wallClockNow().microseconds - 5_000_000)
        records.releases[15] = ReleasedSocket(pid: 3400, uid: getuid(), cookie: 15, releasedAt: earlier,
                                              creator: 3400, name: "earlier")
        let request = AttributionRequest(conversation: 0, key: Self.key, firstSeen: wallClockNow(),
                                         firstFrameOutgoing: true, firstTCPFlags: [.syn])
        usleep(1000)
        #expect(Self.reason(resolver.resolve(request, attempt: 3)) == .socketClosedBeforeLookup)
    }

    @Test("sock_diag refusing the lookup is permission-denied, never a guess about the owner")
    func refusedLookupIsPermissionDenied() throws {
        defer { tree.remove() }
        tables.failure = SystemCallError(call: "sendto", errno: EPERM, subject: "sock_diag")
        #expect(Self.reason(resolver.resolve(Self.request(), attempt: 0)) == .permissionDenied)
    }

    @Test("A namespace that cannot be entered is namespace-unreachable")
    func unreachableNamespace() throws {
        defer { tree.remove() }
        tables.failure = NamespaceUnreachable(namespace: 3, cause: "setns failed: No such file or directory")
        #expect(Self.reason(resolver.resolve(Self.request(Self.key.in(3)), attempt: 0)) == .namespaceUnreachable)
    }

    @Test("TIME_WAIT without a release record is the kernel's: time-wait")
    func timeWaitWithoutRecord() throws {
        defer { tree.remove() }
        tables.add(.tcp, Self.socket(Self.client, Self.server, state: .timeWait, inode: 0, cookie: 16))
        #expect(Self.reason(resolver.resolve(Self.request(), attempt: 0)) == .timeWait)
    }

    @Test("An incoming connection to a port nothing listens on is no-socket: the RST is the kernel's")
    func incomingWithoutListenerIsNoSocket() throws {
        defer { tree.remove() }
        tables.reportsCloses = false
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        #expect(Self.reason(resolver.resolve(Self.request(incoming, outgoing: false), attempt: 0)) == .noSocket)
    }

    @Test("An outgoing RST for a tuple with no socket is kernel-generated")
    func outgoingResetWithoutSocketIsTheKernels() throws {
        defer { tree.remove() }
        tables.reportsCloses = false
        #expect(Self.reason(resolver.resolve(Self.request(flags: [.rst]), attempt: 0)) == .kernelGenerated)
    }

    @Test("An established connection with no inode yet waits in its listener's accept queue; one still in its handshake only waits")
    func establishedConnectionWithoutInodeWaitsInItsAcceptQueue() throws {
        defer { tree.remove() }
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        tables.add(.tcp, Self.socket(Self.server, Self.client, state: .established, inode: 0, cookie: 31))
        guard case .awaitAccept(let queue) = resolver.resolve(Self.request(incoming, outgoing: false), attempt: 0) else {
            Issue.record("expected to wait in the accept queue")
            return
        }
        #expect(queue == AcceptQueue(incoming) && queue.local == Self.server)
        let other = Endpoint(address: .ipv4Loopback, port: 40001)
        tables.add(.tcp, Self.socket(Self.server, other, state: .synReceived, inode: 0, cookie: 32))
        let handshake = FlowKey(proto: .tcp, local: Self.server, remote: other, hasPorts: true)
        guard case .retryLater = resolver.resolve(Self.request(handshake, outgoing: false), attempt: 0) else {
            Issue.record("expected a plain retry while the handshake is in flight")
            return
        }
    }

    @Test("Connections accepted from one listener look the listener up once for their hints, and each is still confirmed where it is held")
    func acceptedConnectionsShareOneListenerLookup() throws {
        defer { tree.remove() }
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        records.creators[20] = 3500
        try tree.addProcess(3500, name: "server", sockets: [900, 1001, 1002])
        // Handed to a worker process the hints do not name: found by the search, not credited to the hint.
        try tree.addProcess(3600, name: "worker", sockets: [1003])
        processes.handle(.exec(pid: 3600), now: wallClockNow())
        func lookup(port: UInt16, inode: UInt32) -> Int32? {
            let client = Endpoint(address: .ipv4Loopback, port: port)
            tables.add(.tcp, Self.socket(Self.server, client, inode: inode, cookie: UInt64(inode)))
            let key = FlowKey(proto: .tcp, local: Self.server, remote: client, hasPorts: true)
            return Self.pid(resolver.resolve(Self.request(key, outgoing: false), attempt: 0))?.0
        }
        #expect(lookup(port: 41001, inode: 1001) == 3500)
        #expect(tables.lookups == 2) // the connection, then its listener
        #expect(lookup(port: 41002, inode: 1002) == 3500)
        #expect(tables.lookups == 3) // the connection only
        #expect(lookup(port: 41003, inode: 1003) == 3600)
    }

    @Test("A connection that ended before it was accepted goes to its listener's one holder, never to one of several",
          arguments: [1, 2])
    func unacceptedConnectionGoesToTheListenersOnlyHolder(holders: Int) throws {
        defer { tree.remove() }
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        records.creators[20] = 3500
        try tree.addProcess(3500, name: "server", sockets: [900])
        if holders == 2 {
            try tree.addProcess(3501, name: "server", sockets: [900])
            processes.handle(.fork(parent: 3500, child: 3501), now: wallClockNow())
        }
        // Only the listener answers: the connection's close (the server accepting and closing it) is waited
        // for, with the table asked again less and less often, never at every millisecond; whatever attempts
        // the handshake took before.
        let now = wallClockNow().microseconds
        for (waited, next) in [(Int64(0), Int64(2_000)), (2_000, 50_000), (60_000, 250_000), (400_000, 1_000_000)] {
            let request = AttributionRequest(conversation: 0, key: incoming, firstSeen: Timestamp(microseconds: now - waited),
                                             firstFrameOutgoing: false, firstTCPFlags: [.syn])
            guard case .awaitClose(let patience) = resolver.resolve(request, attempt: 7) else {
                Issue.record("expected to wait for the connection's close after \(waited) us")
                return
            }
            #expect(patience <= next - waited && patience > next - waited - 100_000, "next look at \(next) us")
        }
        #expect(OwnershipResolver.listenerPatience(afterWaiting: 999_000) != nil)
        #expect(OwnershipResolver.listenerPatience(afterWaiting: 1_000_000) == nil)
        // A second after its first frame (the helper's requests are that old): the listener's owner.
        let outcome = resolver.resolve(Self.request(incoming, outgoing: false), attempt: 1)
        try Self.expectListenersHolder(outcome, holders: holders)
    }

    @Test("A connection reset before it was accepted, its listener open before the capture, goes to the holder the warm-up pass found: never before the pass is complete, never to one of several",
          arguments: [1, 2])
    func unacceptedConnectionGoesToTheListenersHolderAtStart(holders: Int) throws {
        defer { tree.remove() }
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        // No creation record: the listener was made before the capture.
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        try tree.addProcess(3500, name: "server", sockets: [900])
        if holders == 2 { try tree.addProcess(3501, name: "server", sockets: [900]) }
        let request = Self.request(incoming, outgoing: false)
        // The connection's own socket, reset in the queue: destroyed, never released by a process.
        tables.closes = [Self.closeEvent(Self.server, Self.client, cookie: 31)]
        let inodes = resolver.warmUpInodes()
        for pid in [Int32(2000), 3500, 3501] { resolver.sweep(pid, for: inodes) }
        #expect(Self.reason(resolver.resolve(request, attempt: 0)) == .socketClosedBeforeLookup,
                "the pass has not read every process yet")
        resolver.listenersAtStart.finish()
        let outcome = resolver.resolve(request, attempt: 0)
        try Self.expectListenersHolder(outcome, holders: holders)
    }

    @Test("A connection whose close was reported with no process releasing it was never accepted: answered at once, not after 50 waits",
          arguments: [1, 2])
    func resetConnectionInTheAcceptQueueIsAnsweredAtOnce(holders: Int) throws {
        defer { tree.remove() }
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        records.creators[20] = 3500
        try tree.addProcess(3500, name: "server", sockets: [900])
        if holders == 2 {
            try tree.addProcess(3501, name: "server", sockets: [900])
            processes.handle(.fork(parent: 3500, child: 3501), now: wallClockNow())
        }
        let request = Self.request(incoming, outgoing: false)
        // The connection's own socket, reset in the queue: destroyed, never released by a process.
        tables.closes = [Self.closeEvent(Self.server, Self.client, cookie: 31)]
        let outcome = resolver.resolve(request, attempt: 0)
        try Self.expectListenersHolder(outcome, holders: holders)
        // Released by a process (accepted, then closed): that process, as before.
        records.releases[31] = ReleasedSocket(pid: 3500, uid: 0, cookie: 31, releasedAt: wallClockNow(), creator: nil,
                                              name: "server")
        let released = try #require(Self.pid(resolver.resolve(request, attempt: 0)))
        #expect(released.0 == 3500 && released.1 == .releasedSocket)
    }

    @Test("A connection seen in its handshake, then answered only by its listener, is credited through its own socket's close: the handshake's cookie is not the connection's")
    func handshakeCookieDoesNotHideTheConnectionsClose() throws {
        defer { tree.remove() }
        let incoming = FlowKey(proto: .tcp, local: Self.server, remote: Self.client, hasPorts: true)
        tables.add(.tcp, Self.socket(Self.server, Self.wildcard, state: .listen, inode: 900, cookie: 20))
        records.creators[20] = 3500
        try tree.addProcess(3500, name: "server", sockets: [900])
        let request = Self.request(incoming, outgoing: false)
        // In its handshake: the request socket, with a cookie of its own.
        tables.add(.tcp, Self.socket(Self.server, Self.client, state: .synReceived, inode: 0, cookie: 40))
        guard case .retryLater = resolver.resolve(request, attempt: 0) else {
            Issue.record("expected to wait for the handshake")
            return
        }
        // Accepted, used and closed by the server: only the listener answers; the close carries the
        // connection's own cookie, which the server's release record is under.
        tables.sockets[FakeSocketTables.Tuple(proto: .tcp, local: Self.server, remote: Self.client, namespace: 0)] = nil
        tables.closes = [SocketCloseEvent(socket: Self.socket(Self.server, Self.client, state: .close, inode: 0, cookie: 41),
                                          proto: .tcp, namespace: 0)]
        records.releases[41] = ReleasedSocket(pid: 3500, uid: getuid(), cookie: 41, releasedAt: wallClockNow(), creator: nil,
                                              name: "server")
        let answer = try #require(Self.pid(resolver.resolve(request, attempt: 1)))
        #expect(answer.0 == 3500 && answer.1 == .releasedSocket)
    }

    @Test("UDP: another socket answering on the port (a server's) is not the flow's; the flow's socket is gone")
    func udpAnswerFromAnotherPortIsNotTheFlows() throws {
        defer { tree.remove() }
        tables.reportsCloses = false
        let udp = FlowKey(proto: .udp, local: Self.client, remote: Self.server, hasPorts: true)
        let other = Endpoint(address: .ipv4Loopback, port: 53)
        tables.sockets[FakeSocketTables.Tuple(proto: .udp, local: Self.client, remote: Self.server, namespace: 0)] =
            Self.socket(other, Self.wildcard, inode: 901, cookie: 21)
        try tree.addProcess(3600, name: "dns", sockets: [901])
        records.creators[21] = 3600
        #expect(Self.reason(resolver.resolve(Self.request(udp, flags: []), attempt: 0)) == .socketClosedBeforeLookup)
    }

    @Test("A holder's exit hands its socket to the child that holds it; a socket closed with its owner changes no hands")
    func exitHandsTheSocketToTheHeir() throws {
        defer { tree.remove() }
        try tree.addProcess(3700, name: "opener", sockets: [950, 951])
        try tree.addProcess(3701, name: "heir", sockets: [950])
        processes.handle(.fork(parent: 3700, child: 3701), now: wallClockNow())
        let identity = Self.identity(3700)
        let other = FlowKey(proto: .tcp, local: Endpoint(address: .ipv4Loopback, port: 40001), remote: Self.server, hasPorts: true)
        resolver.noteHeld(.process(identity, .exactSocket, SocketEvidence(inode: 950, cookie: 30, uid: 0)), key: Self.key)
        resolver.noteHeld(.process(identity, .exactSocket, SocketEvidence(inode: 951, cookie: 31, uid: 0)), key: other)
        try tree.exit(3700)
        let changes = resolver.handOver(from: 3700, at: wallClockNow())
        #expect(changes.count == 1)
        let change = try #require(changes.first)
        #expect(change.cookie == 30)
        guard case .process(let heir, .inheritedSocket, _) = change.attribution else {
            Issue.record("expected the heir, got \(change.attribution)")
            return
        }
        #expect(heir.pid == 3701)
    }

    @Test("A socket that outlives its holder in no child (passed over a unix socket) is looked up afresh and found by the sweep")
    func socketPassedToAnotherProcessIsFoundByTheSweep() throws {
        defer { tree.remove() }
        try tree.addProcess(3800, name: "opener", sockets: [960])
        try tree.addProcess(3900, name: "receiver", sockets: [960])
        let socket = Self.socket(Self.client, Self.server, inode: 960, cookie: 40)
        tables.add(.tcp, socket)
        records.creators[40] = 3800
        resolver.noteHeld(.process(Self.identity(3800), .exactSocket, SocketEvidence(inode: 960, cookie: 40, uid: 0)),
                          key: Self.key)
        try tree.exit(3800)
        let change = try #require(resolver.handOver(from: 3800, at: wallClockNow()).first)
        #expect(change.attribution == nil, "no child holds it: the holder is not named yet")
        // The next frames' lookup: the creator is gone and no cheap candidate holds it, so the sweep runs.
        guard case .awaitSweep = resolver.resolve(Self.request(), attempt: 2) else {
            Issue.record("expected to wait for the sweep")
            return
        }
        resolver.sweep(3900, for: [960])
        let answer = try #require(Self.pid(resolver.resolve(Self.request(), attempt: 3)))
        #expect(answer.0 == 3900)
    }

    @Test("A socket closed with its exiting holder changes no hands")
    func socketClosedWithItsHolderChangesNoHands() throws {
        defer { tree.remove() }
        try tree.addProcess(3950, name: "opener", sockets: [970])
        resolver.noteHeld(.process(Self.identity(3950), .exactSocket, SocketEvidence(inode: 970, cookie: 41, uid: 0)),
                          key: Self.key)
        try tree.exit(3950)
        #expect(resolver.handOver(from: 3950, at: wallClockNow()).isEmpty)
    }

    @Test("The cache of socket holders stays bounded however many sockets come and go; one asked about often stays")
    func socketHolderCacheIsBounded() {
        var cache = SocketHolderCache(generationLimit: 100)
        cache.note(1, pid: 10, fd: 3) // a listener, asked about as connections arrive
        for inode in UInt32(2)..<10_000 {
            cache.note(inode, pid: 20, fd: Int32(inode))
            if inode % 50 == 0 { _ = cache.holder(of: 1) }
        }
        #expect(cache.count <= 200)
        #expect(cache.holder(of: 1)?.pid == 10)
        #expect(cache.holder(of: 9_999)?.fd == 9_999)
        #expect(cache.holder(of: 2) == nil && !cache.knows(2))
        cache.forget(1)
        #expect(cache.holder(of: 1) == nil)
    }
}

