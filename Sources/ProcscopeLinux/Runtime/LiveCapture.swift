import Glibc
import CProcscopeLinux
import ProcscopeCore

/// A live capture, wired: libpcap source, session, attribution worker, socket-close events and signals.
/// One poll loop on the calling thread owns the hot path; lookups run on the worker thread.
public final class LiveCapture {
    public let source: AdaptiveLiveSource
    public let session: CaptureSession
    public let filter: String?
    public let precision: TimestampPrecision
    /// The interfaces asked for, and the device opened for them.
    public let interfaces: InterfaceSelection
    let worker: AttributionWorker
    private let closeEvents: SocketCloseFeed?
    /// The kernel's release records: when a UDP socket was really closed, not when its destroy event was read.
    private let releases: SocketReleaseRecorder?
    /// Translated connections (conntrack), so NAT'd traffic is one flow of the process behind it.
    private let conntrack: ConntrackWatcher?
    /// Address changes in this namespace, so a new address is local from its first frame.
    private let addressChanges: AddressChangeWatcher?
    /// The host's other network namespaces, for container traffic seen on this side of a veth.
    private let namespaces = NetworkNamespaces()
    private let signals: SignalWatcher
    public private(set) var started = Timestamp.zero
    public private(set) var ended = Timestamp.zero
    /// Called on the capture thread once per loop turn and once at the end (a listing prints from here).
    public var onTurn: (() -> Void)?
    /// `-Z USER` (`LiveCapture+PrivilegeDrop`), until it is made.
    public var privilegeDrop: PrivilegeDrop?
    /// `--resolve` (`LiveCapture+ReverseLookups`).
    public var reverseResolver: ReverseResolver? {
        didSet { askResolverForNewRemotes() }
    }
    private var stopRequested = false
    private var lastRetirement = Timestamp.zero
    /// The most conversations live since memory was last handed back (`returnMemoryAfterBursts`).
    private var peakLive = 0
    /// Kernel drops already told on stderr.
    private var kernelDropsSaid: UInt64 = 0

    /// Ends the capture after the current loop turn (from `onTurn`: the live view's quit key).
    public func requestStop() { stopRequested = true }
    /// Non-fatal problems met while setting up (e.g. no proc connector), to tell the user once.
    /// What the capture could not do, kept by the session for the JSON: right after `init`, what was found at
    /// the start (the command says it once, before anything else is said).
    public var warnings: [CaptureWarning] { session.warnings }

    /// Opens everything; throws an actionable error when the interface, filter or privileges are wrong.
    /// `precision` `.nano` stamps frames in nanoseconds: each packet record then carries the nanoseconds past
    /// its microsecond.
    public convenience init(interface: String, filter: String?, snapLength: Int, bufferBytes: Int,
                            direction: CaptureDirection = .inout, precision: TimestampPrecision = .micro,
                            signals: SignalWatcher) throws {
        try self.init(interfaces: InterfaceSelection([interface], filter: filter), filter: filter, snapLength: snapLength,
                      bufferBytes: bufferBytes, direction: direction, precision: precision, signals: signals)
    }

    /// Captures `interfaces` (one, or several through `any`); `filter` is the user's, as the report says it.
    public init(interfaces: InterfaceSelection, filter: String?, snapLength: Int, bufferBytes: Int,
                direction: CaptureDirection = .inout, precision: TimestampPrecision = .micro,
                signals: SignalWatcher) throws {
        self.signals = signals
        self.filter = filter
        self.precision = precision
        self.interfaces = interfaces
        let interface = interfaces.device
        source = try AdaptiveLiveSource(interface: interface, filter: interfaces.kernelFilter, snapLength: snapLength,
                                        bufferBytes: bufferBytes, direction: direction, precision: precision)
        let diag: SockDiagClient
        do {
            diag = try SockDiagClient()
        } catch {
            throw CaptureError.setupFailed(interface: interface, message: "cannot open sock_diag: \(error)")
        }
        var warnings: [CaptureWarning] = []
        func warn(_ kind: String, _ message: String) { warnings.append(CaptureWarning(kind: kind, message: message)) }
        if let unreadable = Self.unreadableDescriptorTable() {
            warn("unreadable-descriptors", "cannot read other users' /proc/PID/fd and exe links (\(unreadable)): their "
                 + "sockets are reported permission-denied and their programs' paths unknown; add cap_sys_ptrace and "
                 + "cap_dac_read_search (see the README's setcap line)")
        }
        namespaces.readNow()
        do {
            closeEvents = try SocketCloseFeed(namespaces: namespaces)
        } catch {
            closeEvents = nil
            warn("no-socket-close-events", "no socket-close events (\(error)); a port reused within the capture may be attributed late")
        }
        let connector: ProcConnector?
        do {
            connector = try ProcConnector()
        } catch {
            connector = nil
            warn("no-process-events", "no process events (\(error)); short-lived processes are found by scanning only")
        }
        let recorder: SocketReleaseRecorder?
        do {
            recorder = try SocketReleaseRecorder()
        } catch {
            recorder = nil
            warn("no-socket-release-recorder", "no socket-release recorder (\(error)); owners that exit before their socket is "
                            + "looked up stay unknown")
        }
        releases = recorder
        var firstSends: FirstSendRecorder?
        if recorder != nil {
            do {
                firstSends = try FirstSendRecorder()
            } catch {
                warn("no-first-send-recorder", "no first-send recorder (\(error)); a refused connect or an exited pinger whose "
                                + "socket is gone before lookup stays unknown")
            }
        }
        worker = try AttributionWorker(diag: diag, connector: connector, recorder: recorder, firstSends: firstSends,
                                       namespaces: namespaces)
        // Subscribed before the first read of the addresses, so no change falls between the two.
        do {
            addressChanges = try AddressChangeWatcher()
        } catch {
            addressChanges = nil
            warn("no-address-events", "no address-change events (\(error)); an address added during the capture counts as not local")
        }
        var configuration = SessionConfiguration(localAddresses: try LocalAddresses.current(),
                                                 deduplicateAcrossInterfaces: interface == "any")
        configuration.loopbackInterface = LoopbackSentCopies.loopbackIndexes().first
        session = CaptureSession(linkType: source.linkType, configuration: configuration, attributor: worker)
        session.namespaces = namespaces
        // Subscribed before the table is read, so no connection falls between the two.
        var watcher: ConntrackWatcher?
        do {
            watcher = try ConntrackWatcher()
            for binding in try ConntrackWatcher.currentBindings() { session.nat.insert(binding) }
        } catch {
            watcher = nil
            warn("no-conntrack-events", "no connection-tracking events (\(error)); traffic this host translates (NAT) is counted "
                            + "before and after the translation, and after it not attributed")
        }
        conntrack = watcher
        for warning in warnings { session.note(warning) }
    }

    /// A turn that took at least this many frames means traffic is flowing: the next wait batches.
    static let busyTurnFrames = 32
    /// How long a busy loop lets frames queue in the ring before it takes them: from the first to the last
    /// value, doubling while turns stay busy, so traffic at ordinary rates never waits. Runs of
    /// Scripts/bench-live.sh varied too much to rank intervals between 0.2 and 2 ms against each other.
    static let batchIntervalMicros: ClosedRange<Int64> = 250...2_000
    /// Frames a second above which the loop batches even turns of a frame or two, and below which it stops
    /// (`BusyRate`): connection churn (many short flows of a few frames each) never fills a turn, yet woke
    /// this real-time thread for nearly every frame, 30,000 times a second beside a client that opened 6,000
    /// connections a second, each wake preempting the client or its server on a 2-core machine.
    static let frequentFrames = BusyRate(above: 10_000, below: 5_000)
    /// How long such a loop lets frames queue: a new flow's first frame waits 0.25 ms on average then. At
    /// 0.25 ms, a bulk TCP receive on a veth (about 40,000 frames a second, 10 a turn: never busy) cost
    /// procscope 330-370 ms of CPU over 3 s; at 0.5 ms, 220 ms (1 ms gained nothing more), the sender as fast.
    static let frequentIntervalMicros: Int64 = 500

    /// Captures until `stop` is met or a signal arrives, then collects the last answers. A read error is
    /// rethrown only after the session holds everything captured before it.
    public func run(until stop: StopCondition) throws -> StopReason {
        worker.start()
        defer { worker.stop() }
        // Real-time too: on a busy machine an ordinary thread is woken too late to catch a client that exits
        // right after sending (measured: 68% attributed at normal priority, 94% at SCHED_FIFO 1).
        RealtimePriority.raiseCurrentThread()
        started = wallClockNow()
        let (resultsIndex, signalsIndex) = (1, 2)
        var fds = [pollfd(fd: source.selectableDescriptor ?? -1, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: worker.resultsDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: signals.descriptor, events: Int16(POLLIN), revents: 0)]
        let closesIndex = fds.count
        if let closeEvents { fds.append(pollfd(fd: closeEvents.descriptor, events: Int16(POLLIN), revents: 0)) }
        let addressIndex = fds.count
        if let addressChanges { fds.append(pollfd(fd: addressChanges.descriptor, events: Int16(POLLIN), revents: 0)) }
        let conntrackIndex = fds.count
        if let conntrack { fds.append(pollfd(fd: conntrack.descriptor, events: Int16(POLLIN), revents: 0)) }
        let session = self.session
        var lastHousekeeping = started
        var batchInterval: Int64 = 0
        var frameRate = Self.frequentFrames
        var turns = 0
        var reason: StopReason?
        var dropFailure: PrivilegeDropError?
        while reason == nil {
            // Every source only when the last wait said it had something: each check is a system call, and at
            // tens of thousands of turns a second (a bulk transfer in immediate mode) they added up.
            let firstTurn = turns == 0
            turns += 1
            // After a batched wait, closes and answers were not waited for (`batchInterval`): looked at anyway.
            let lookAtAll = firstTurn || batchInterval > 0
            // Close events first: a frame of a new socket on a reused tuple must not join the old conversation.
            if lookAtAll || Self.readable(fds, closesIndex) { drainCloseEvents() }
            // Address changes: the first frame from a new address must find it local.
            if firstTurn || Self.readable(fds, addressIndex),
               addressChanges?.drain() == true, let addresses = try? LocalAddresses.current() {
                session.localAddressesChanged(addresses)
            }
            // Translations: a NAT'd flow's first translated frame must be keyed as the untranslated flow.
            if let conntrack, firstTurn || Self.readable(fds, conntrackIndex) {
                for (binding, appeared) in conntrack.pendingChanges() {
                    if appeared { session.translationAppeared(binding) } else { session.nat.remove(binding) }
                }
            }
            if lookAtAll || Self.readable(fds, resultsIndex) {
                for result in worker.takeResults(signalled: Self.readable(fds, resultsIndex)) { session.apply(result) }
                for change in worker.takeOwnerChanges() { session.ownerChanged(change) }
            }
            var budget = 64 // batches per turn, so signals and answers are still seen under full load
            var deliveredThisTurn = 0
            while budget > 0 {
                budget -= 1
                var limit = 4096
                if let packetLimit = stop.packetLimit {
                    let remaining = packetLimit &- session.counters.packets
                    if session.counters.packets >= packetLimit { reason = .packetLimit; break }
                    limit = Int(min(UInt64(limit), remaining))
                }
                let delivered = try source.dispatch(limit: limit) { bytes, length, time in
                    if precision == .nano {
                        session.ingest(bytes, wireLength: length, at: time, subMicroseconds: source.subMicroseconds)
                    } else {
                        session.ingest(bytes, wireLength: length, at: time)
                    }
                } ?? 0
                deliveredThisTurn += delivered
                if delivered == 0 { break }
            }
            if let packetLimit = stop.packetLimit, session.counters.packets >= packetLimit { reason = .packetLimit }
            let now = wallClockNow()
            if let duration = stop.durationMicros, now.microseconds(since: started) >= duration { reason = .duration }
            if (firstTurn || Self.readable(fds, signalsIndex)) && signals.check() { reason = .signal(signals.received ?? SIGINT) }
            if now.microseconds(since: lastHousekeeping) > 100_000 {
                session.expire(now: now)
                namespaces.refresh(now: now) // off this thread: containers come and go
                closeEvents?.follow()
                lastHousekeeping = now
            }
            nameLookedUpRemotes(now: now)
            onTurn?()
            do { try dropPrivilegesIfDue(now: now) } catch {
                dropFailure = error
                reason = .requested
            }
            // After the outputs took this turn's packets: what ended is folded away (once a second).
            if now.microseconds(since: lastRetirement) > 1_000_000 {
                session.retireIdle(now: now)
                returnMemoryAfterBursts()
                lastRetirement = now
                warnOfNewKernelDrops()
            }
            if stopRequested { reason = .requested }
            if reason != nil { break }
            var timeoutMicros: Int64 = 100_000
            if let duration = stop.durationMicros {
                timeoutMicros = max(0, min(timeoutMicros, duration - now.microseconds(since: started) + 1000))
            }
            // Under load, batches: the capture descriptor is left out of the wait for `batchIntervalMicros`, so
            // the kernel has no reader to wake for each frame and this real-time thread, which can preempt a
            // sender on a small machine, wakes less often; the next turn takes what queued meanwhile. (Measured
            // alone it gained a flooding sender little, 0.64x to about 0.73x of its rate beside buffered tcpdump;
            // the switch to buffered capture did the rest.) When quiet, the descriptor wakes this loop at once:
            // a new flow's first frame is seen as sent.
            // A flood switches the source to buffered capture, and calm back: the descriptor to wait on changes.
            fds[0].fd = source.selectableDescriptor ?? -1
            // Frames arriving often but a few at a time (connection churn) batch at the shortest interval.
            let busy = deliveredThisTurn >= Self.busyTurnFrames
            let frequent = frameRate.note(deliveredThisTurn, at: now)
            batchInterval = busy ? (batchInterval == 0 ? Self.batchIntervalMicros.lowerBound
                                    : min(Self.batchIntervalMicros.upperBound, batchInterval * 2))
                : frequent ? Self.frequentIntervalMicros : 0
            fds[0].events = batchInterval > 0 ? 0 : Int16(POLLIN)
            // Nor are the worker's answers and the close events waited for then: the frames they concern wait in
            // the ring until the next turn anyway, which takes closes before frames as ever. Under connection
            // churn each answer and each close woke this thread, several times a connection, each wake a
            // context switch that preempted the client or its server.
            fds[resultsIndex].events = batchInterval > 0 ? 0 : Int16(POLLIN)
            if closesIndex < fds.count { fds[closesIndex].events = batchInterval > 0 ? 0 : Int16(POLLIN) }
            if batchInterval > 0 { timeoutMicros = min(timeoutMicros, batchInterval) }
            var timeout = timespec(tv_sec: Int(timeoutMicros / 1_000_000), tv_nsec: Int(timeoutMicros % 1_000_000) * 1000)
            for i in fds.indices { fds[i].revents = 0 }
            _ = ps_ppoll(&fds, UInt(fds.count), &timeout)
        }
        ended = wallClockNow()
        finish()
        onTurn?()
        if let dropFailure { throw dropFailure }
        return reason ?? .packetLimit
    }

    /// Why other users' processes cannot be read, nil when they can (root, or cap_sys_ptrace with
    /// cap_dac_read_search). Listing a descriptor table needs only cap_dac_read_search, but reading its links
    /// and a program's exe link needs ptrace read access (cap_sys_ptrace): so the exe link of a process of
    /// another user is read, kthreadd's (PID 2) first: a kernel thread has none, and the kernel says ENOENT
    /// when access is allowed, EACCES when not. PID 1 is not used: in some sandboxes even root may not read it.
    static func unreadableDescriptorTable(proc: ProcFileSystem = ProcFileSystem()) -> String? {
        let me = geteuid()
        let isOthers = { (pid: Int32) in proc.ownerUID(of: pid).map { $0 != me } ?? false }
        // /proc is listed only when kthreadd will not do (procscope runs as root, or in a PID namespace).
        guard let pid = isOthers(2) ? 2 : proc.processIDs().lazy.filter({ $0 > 2 }).prefix(64).first(where: isOthers)
        else { return nil }
        guard let directory = opendir("\(proc.root)/\(pid)/fd") else { return String(cString: strerror(errno)) }
        closedir(directory)
        var target = [CChar](repeating: 0, count: 256)
        if readlink("\(proc.root)/\(pid)/exe", &target, target.count) < 0, errno == EACCES || errno == EPERM {
            return String(cString: strerror(errno))
        }
        return nil
    }

    /// Says so, at most once a second, when the kernel dropped frames since the last look: the counts reach the
    /// JSON at the end, but a user watching a long capture must know when it stops seeing everything.
    private func warnOfNewKernelDrops() {
        let drops = source.drops().kernel
        guard drops > kernelDropsSaid else { return }
        session.say("kernel-drops", "the kernel dropped \(drops - kernelDropsSaid) packets since the last second "
                    + "(\(drops) in all): the capture did not keep up; a larger buffer (-B KiB) or a narrower filter helps")
        kernelDropsSaid = drops
    }

    /// Whether the last wait found `fds[index]` readable (false past the end: a source not opened).
    private static func readable(_ fds: [pollfd], _ index: Int) -> Bool {
        index < fds.count && fds[index].revents != 0
    }

    /// Lets the worker answer what is outstanding (a short grace period), then gives up the rest.
    private func finish() {
        let deadline = wallClockNow().microseconds + 1_000_000
        while worker.outstandingCount > 0 && wallClockNow().microseconds < deadline {
            var fd = pollfd(fd: worker.resultsDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, 20)
            drainCloseEvents()
            for result in worker.takeResults() { session.apply(result) }
            for change in worker.takeOwnerChanges() { session.ownerChanged(change) }
        }
        drainCloseEvents()
        for result in worker.takeResults() { session.apply(result) }
        for change in worker.takeOwnerChanges() { session.ownerChanged(change) }
        nameLookedUpRemotes(now: wallClockNow())
        reverseResolver?.stop()
        session.finish()
    }

    private func drainCloseEvents() {
        guard let closeEvents else { return }
        let events = closeEvents.take()
        guard !events.isEmpty else { return }
        let now = wallClockNow()
        for event in events {
            // A datagram socket ends at its release (its destroy event comes later, from a workqueue): frames
            // after the release are a later socket's. A TCP connection's last FIN and ACKs follow its release.
            var closedAt = now
            if event.proto != .tcp, let released = releases?.lastHolder(cookie: event.socket.cookie)?.releasedAt,
               released <= now, now.microseconds(since: released) < 5_000_000 {
                closedAt = released
            }
            session.socketClosed(SocketClosed(key: event.key, cookie: event.socket.cookie, closedAt: closedAt))
        }
    }

    /// Hands freed memory back to the system once a burst of conversations has retired (at least half of
    /// the most live since the last time, and 4,096 or more): glibc keeps freed memory for reuse otherwise,
    /// and a capture that once held 100,000 conversations would stay that size through a quiet night.
    /// Costs a few milliseconds, only after such a burst.
    private func returnMemoryAfterBursts() {
        let live = session.liveConversationCount
        peakLive = max(peakLive, live)
        if live * 2 < peakLive && peakLive - live >= 4096 {
            ps_return_free_memory()
            peakLive = live
        }
    }

    /// The report of what was captured so far; `.slots` once the capture has ended (`CaptureSession.Listing`).
    public func report(listing: CaptureSession.Listing = .values) -> CaptureReport {
        let drops = source.drops()
        return session.report(CaptureReport.CaptureInfo(
            interfaces: interfaces.names, filter: filter, started: started, ended: ended == .zero ? wallClockNow() : ended,
            droppedByKernel: drops.kernel, droppedByInterface: drops.interface), listing: listing)
    }
}
