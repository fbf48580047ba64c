import CProcscopeLinux
import Foundation
import Glibc
import ProcscopeCore
import Synchronization

/// Resolves new flows off the capture thread. The capture loop hands requests over (`request`, once per new
/// flow) and collects answers when `resultsDescriptor` polls readable (`takeResults`); the worker thread
/// owns the resolver, the proc connector and every cache, so the hot path never waits on a lookup.
public final class AttributionWorker: Attributor, @unchecked Sendable {
    // The two queues are the only state shared between threads (Mutex-guarded, touched once per new flow);
    // everything else is confined to the worker thread after `start()`.
    private let incoming = Mutex<[AttributionRequest]>([])
    private let outgoing = Mutex<[AttributionResult]>([])
    private let changes = Mutex<[OwnerChange]>([])
    private let outstanding = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let warmedUp = Atomic<Bool>(false)
    /// `whilePaused`: the capture thread asks, the worker says it has stopped between lookups, then waits for
    /// the go-ahead and the capabilities it is to keep (nil: keep what it has).
    private let pauseRequested = Atomic<Bool>(false)
    private let paused = DispatchSemaphore(value: 0)
    private let resumed = DispatchSemaphore(value: 0)
    private let keepAfterPause = Mutex<UInt64?>(nil)
    private let wakeDescriptor: Int32
    /// Readable when answers are waiting.
    public let resultsDescriptor: Int32

    private let resolver: OwnershipResolver
    private let connector: ProcConnector?
    private var retries = RetrySchedule()
    /// Lookups waiting for a destroy event: retried when one arrives, or when due.
    private var closeWaiters = CloseWaiters()
    /// Lookups waiting for the host-wide sweep, with the socket inode they need and the sweep generation
    /// that answers them.
    private var sweepWaiters: [(request: AttributionRequest, attempt: Int, inode: UInt32, generation: Int)] = []
    private let sweep = ProcessSweep()
    /// The warm-up pass: caches the owners of the inet sockets open at the start, a slice per turn.
    private let warmUp = ProcessSweep()
    private var warmUpInodes = Set<UInt32>()
    /// How long one sweep slice may run before the worker looks at new lookups again.
    private let sweepSliceMicros: Int64 = 2_000
    private var thread: Thread?

    /// `connector` is optional: without it (no CAP_NET_ADMIN for the connector) the scan order falls back to
    /// descending PIDs.
    public init(diag: SockDiagClient, proc: ProcFileSystem = ProcFileSystem(), connector: ProcConnector?,
                recorder: SocketReleaseRecorder? = nil, firstSends: FirstSendRecorder? = nil,
                namespaces: NetworkNamespaces? = nil) throws {
        wakeDescriptor = try retryingSystemCall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        resultsDescriptor = try retryingSystemCall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        let processes = ProcessTable(reader: ProcessIdentityReader(proc: proc))
        processes.exitsReported = connector != nil
        // Closes are worth reading only with the kernel's records, which a close's cookie leads to.
        let tables = KernelSocketTables(diag: diag, proc: proc, namespaces: namespaces, closes: recorder != nil)
        resolver = OwnershipResolver(tables: tables, proc: proc, processes: processes, records: recorder,
                                     firstSends: firstSends)
        self.connector = connector
    }

    deinit {
        close(wakeDescriptor)
        close(resultsDescriptor)
    }

    /// Lists the inet sockets open now (their owners are cached by the warm-up pass, so flows that existed
    /// before the capture resolve at once) and starts the thread.
    public func start() {
        warmUpInodes = resolver.warmUpInodes()
        warmUp.begin(resolver.processes.scanOrder(all: resolver.proc.processIDs()))
        let thread = Thread { [self] in run() }
        thread.name = "procscope-attribution"
        thread.start()
        self.thread = thread
    }

    public func stop() {
        stopping.store(true, ordering: .relaxed)
        eventfd_write(wakeDescriptor, 1)
    }

    /// Whether the first pass over every process's sockets (the warm-up) has ended: until then other users'
    /// descriptor tables are still being read, which `-Z` waits for.
    public var hasWarmedUp: Bool { warmedUp.load(ordering: .relaxed) }

    /// Runs `body` (on the calling thread) while the worker thread waits between two lookups, having set
    /// KEEPCAPS so that its capabilities outlive a user change in `body` (-Z); after it, the worker keeps
    /// only `keep` of them when `body` succeeded, and goes on. No lookup runs half before and half after.
    func whilePaused(keeping keep: UInt64, _ body: () throws(PrivilegeDropError) -> Void) throws(PrivilegeDropError) {
        pauseRequested.store(true, ordering: .relaxed)
        eventfd_write(wakeDescriptor, 1)
        paused.wait()
        defer { resumed.signal() }
        try body()
        keepAfterPause.withLock { $0 = keep }
    }

    /// The worker's side of `whilePaused`.
    private func pauseIfAsked() {
        guard pauseRequested.exchange(false, ordering: .relaxed) else { return }
        _ = ps_keep_capabilities_across_user_change(1)
        paused.signal()
        resumed.wait()
        if let keep = keepAfterPause.withLock({ $0 }) {
            _ = ps_narrow_capabilities(keep)
        } else {
            _ = ps_keep_capabilities_across_user_change(0)
        }
    }

    /// Lookups asked for and not answered yet.
    public var outstandingCount: Int { outstanding.load(ordering: .relaxed) }

    public func request(_ request: AttributionRequest) -> AttributionResult? {
        let proto = request.key.proto
        let echo = (proto == .icmp || proto == .icmpv6) && request.key.hasPorts
        if let kernel = request.kernelProtocol {
            return AttributionResult(conversation: request.conversation, key: request.key,
                                     attribution: .unknown(.kernelGenerated, detail: kernel), resolvedAt: request.firstSeen)
        }
        // Protocols with ports other than these have no socket table procscope reads; the rest (no ports) go
        // to raw sockets, SCTP to its own resolution.
        guard proto == .tcp || proto == .udp || proto == .udpLite || proto == .sctp || echo || !request.key.hasPorts else {
            return AttributionResult(conversation: request.conversation, key: request.key,
                                     attribution: .unknown(.protocolNotTracked, detail: "procscope does not read \(proto) socket tables yet"),
                                     resolvedAt: request.firstSeen)
        }
        outstanding.add(1, ordering: .relaxed)
        // Woken only by the first request of a batch: the worker takes the whole queue after each wake (after
        // reading the wake, so a request queued behind a wake it has read is still taken). A write for every
        // request was a system call for every new flow, 2.6 a connection under churn.
        let first = incoming.withLock { requests in
            requests.append(request)
            return requests.count == 1
        }
        if first { eventfd_write(wakeDescriptor, 1) }
        return nil
    }

    /// Sockets that changed hands since the last call (signalled on `resultsDescriptor` too).
    public func takeOwnerChanges() -> [OwnerChange] {
        changes.withLock { pending in
            var taken: [OwnerChange] = []
            swap(&taken, &pending)
            return taken
        }
    }

    /// Answers ready now. `signalled`: whether `resultsDescriptor` was found readable, so its signal is read
    /// (a caller that takes answers without waiting on it leaves the read, a system call, to the wait that
    /// finds it readable).
    public func takeResults(signalled: Bool = true) -> [AttributionResult] {
        var counter: eventfd_t = 0
        if signalled { eventfd_read(resultsDescriptor, &counter) }
        // Swapped out, not copied and emptied: emptying a buffer still shared with the copy would allocate
        // another of the same size each time, and keep a burst's size for good.
        return outgoing.withLock { results in
            var taken: [AttributionResult] = []
            swap(&taken, &results)
            return taken
        }
    }

    private func run() {
        RealtimePriority.raiseCurrentThread()
        var fds = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if let connector { fds.append(pollfd(fd: connector.descriptor, events: Int16(POLLIN), revents: 0)) }
        let closesIndex = fds.count
        if let closes = resolver.tables.closesDescriptor { fds.append(pollfd(fd: closes, events: Int16(POLLIN), revents: 0)) }
        var batching = WorkBatching(now: wallClockNow())
        while !stopping.load(ordering: .relaxed) {
            pauseIfAsked()
            // ppoll, not poll: retries are due within tens of microseconds, below poll's millisecond grain.
            var timeout = timespec(tv_sec: 1, tv_nsec: 0)
            // Destroy events wake the worker while a lookup waits for one, or while sockets are followed for
            // a change of hands (their closes end the following, and must not pile up unread).
            // Batching (`WorkBatching`), nothing is waited on: the next turn is the interval's end.
            let batched = batching.isOn
            fds[0].events = batched ? 0 : Int16(POLLIN)
            if connector != nil { fds[1].events = batched ? 0 : Int16(POLLIN) }
            if closesIndex < fds.count {
                fds[closesIndex].events = batched || (closeWaiters.isEmpty && resolver.held.count == 0) ? 0 : Int16(POLLIN)
            }
            let nextRetry = retries.nextDue, nextWaiter = closeWaiters.earliestDue
            if let due = batching.nextTurn ?? nextRetry.map({ min($0, nextWaiter ?? $0) }) ?? nextWaiter {
                let micros = max(0, due.microseconds(since: wallClockNow()))
                timeout = timespec(tv_sec: Int(micros / 1_000_000), tv_nsec: Int(micros % 1_000_000) * 1000)
            }
            // A sweep or warm-up in progress only looks up, without sleeping, for new work between its slices.
            if !sweepWaiters.isEmpty || warmUp.isRunning { timeout = timespec(tv_sec: 0, tv_nsec: 0) }
            for i in fds.indices { fds[i].revents = 0 }
            _ = ps_ppoll(&fds, UInt(fds.count), &timeout)
            var counter: eventfd_t = 0
            if fds[0].revents != 0 || batched { eventfd_read(wakeDescriptor, &counter) }
            let now = wallClockNow()
            batching.turnBegan(at: now)
            // Closes first: a socket closed with its exiting owner is not looked for among the owner's children.
            resolver.drainCloseEvents()
            if let connector {
                var handedOver: [OwnerChange] = []
                for event in connector.pendingEvents() {
                    resolver.processes.handle(event, now: now)
                    if case .exit(let pid) = event { handedOver += resolver.handOver(from: pid, at: now) }
                }
                if connector.lostEvents {
                    connector.lostEvents = false
                    resolver.processes.forgetConfirmations()
                }
                if !handedOver.isEmpty {
                    changes.withLock { $0.append(contentsOf: handedOver) }
                    eventfd_write(resultsDescriptor, 1)
                }
            }
            let batch = incoming.withLock { requests in
                var taken: [AttributionRequest] = []
                swap(&taken, &requests)
                return taken
            }
            var answers: [AttributionResult] = []
            for request in batch { attempt(request, 0, into: &answers) }
            let cutoff = wallClockNow()
            // Oldest first; a connection behind an older one still in its accept queue waits without a request.
            var stillQueued = Set<AcceptQueue>()
            for retry in retries.takeDue(now: cutoff) {
                let later = Timestamp(microseconds: cutoff.microseconds + Self.retryDelay(after: retry.attempt))
                if retries.putOff(retry, behind: stillQueued, lastAttempt: resolver.maxAttempts, due: later) { continue }
                if let queue = attempt(retry.request, retry.attempt, into: &answers) { stillQueued.insert(queue) }
            }
            // A waiter is asked again when its own tuple's close has arrived, or when due: under churn closes
            // arrive all the time, and asking every waiter again at each cost a request per waiter per close.
            // Arrived means taken since the last look (`takeClosedTuples`), not the descriptor found readable by
            // the last wait: a close taken at the top of this turn, or inside a lookup, after the wait had
            // returned for another reason, left its waiter asleep until due (measured under churn: thousands
            // of waits that ended with the listener's owner instead of the releaser's record).
            let closed = resolver.takeClosedTuples()
            batching.note(batch.count + closed.count, at: cutoff)
            let waiting = closeWaiters.takeReady(now: cutoff, closed: closed) {
                resolver.closedCookie($0) != nil
            }
            for waiter in waiting { attempt(waiter.request, waiter.attempt, into: &answers) }
            // Answers so far go out before the sweep's slice runs.
            publish(&answers)
            advanceSweep(into: &answers)
            publish(&answers)
            if warmUp.isRunning {
                let deadline = Timestamp(microseconds: wallClockNow().microseconds + sweepSliceMicros)
                if warmUp.advance(until: deadline, scan: { resolver.sweep($0, for: warmUpInodes) }) {
                    warmUpInodes = []
                    resolver.listenersAtStart.finish()
                }
            }
            if !warmUp.isRunning { warmedUp.store(true, ordering: .relaxed) }
            resolver.processes.takeSnapshots()
        }
    }

    /// Hands answers to the capture loop; signals only when it had none waiting (it takes them all at once,
    /// after reading the signal), as `request` does the other way.
    private func publish(_ answers: inout [AttributionResult]) {
        if !answers.isEmpty {
            let first = outgoing.withLock { results in
                results.append(contentsOf: answers)
                return results.count == answers.count
            }
            outstanding.subtract(answers.count, ordering: .relaxed)
            if first { eventfd_write(resultsDescriptor, 1) }
            answers.removeAll(keepingCapacity: true)
        }
    }

    /// One slice of the host-wide sweep while lookups wait for it; then asks again for those whose socket it
    /// found, or whose generation it finished.
    private func advanceSweep(into answers: inout [AttributionResult]) {
        guard !sweepWaiters.isEmpty else { return }
        if !sweep.isRunning {
            sweep.begin(resolver.processes.scanOrder(all: resolver.proc.processIDs()))
        }
        let inodes = Set(sweepWaiters.map(\.inode))
        let deadline = Timestamp(microseconds: wallClockNow().microseconds + sweepSliceMicros)
        sweep.advance(until: deadline) { resolver.sweep($0, for: inodes) }
        let ready = sweepWaiters.filter { sweep.finished >= $0.generation || resolver.knowsHolder(of: $0.inode) }
        sweepWaiters.removeAll { sweep.finished >= $0.generation || resolver.knowsHolder(of: $0.inode) }
        for waiter in ready {
            attempt(waiter.request, waiter.attempt, sweepFinished: sweep.finished >= waiter.generation, into: &answers)
        }
    }

    /// 50 us, 100 us, 200 us ... then every 1 ms: accept() normally follows the handshake within that,
    /// and a server that accepts, answers and closes at once leaves only a short window.
    private static func retryDelay(after attempt: Int) -> Int64 { Int64(min(1000, 50 << min(attempt, 5))) }

    /// When a lookup asked `attempt` times before is asked again, from now.
    private func retryDue(after attempt: Int) -> Timestamp {
        Timestamp(microseconds: wallClockNow().microseconds + Self.retryDelay(after: attempt))
    }

    /// Makes one lookup; returns the accept queue the connection still waits in, if that is the answer.
    @discardableResult
    private func attempt(_ request: AttributionRequest, _ attempt: Int, sweepFinished: Bool = false,
                         into answers: inout [AttributionResult]) -> AcceptQueue? {
        switch resolver.resolve(request, attempt: attempt, sweepFinished: sweepFinished) {
        case .answer(let attribution):
            if connector != nil && resolver.tables.reportsCloses { resolver.noteHeld(attribution, key: request.key) }
            answers.append(AttributionResult(conversation: request.conversation, key: request.key,
                                             attribution: attribution, resolvedAt: wallClockNow()))
        case .retryLater:
            retries.add(request, attempt: attempt + 1, due: retryDue(after: attempt))
        case .awaitAccept(let queue):
            retries.add(request, attempt: attempt + 1, due: retryDue(after: attempt), queue: queue)
            return queue
        case .awaitClose(let patience):
            closeWaiters.add(.init(request: request, attempt: attempt + 1,
                                   due: Timestamp(microseconds: wallClockNow().microseconds + patience)))
        case .awaitSweep(let inode):
            // A lookup asked again after a sweep it did not wait for entirely (its socket found elsewhere,
            // then gone) waits for the next one.
            sweepWaiters.append((request, attempt + 1, inode, sweep.nextGeneration))
        }
        return nil
    }
}
