import ProcscopeCore

/// What the attribution worker knows about processes: identities snapshotted at exec (so a client that exits
/// before its socket is looked up still has a name), and the order in which processes appeared, newest first.
/// Owned by the worker thread.
final class ProcessTable {
    let reader: ProcessIdentityReader
    /// Identity snapshots by PID; dropped a while after the process's exit.
    private var identities: [Int32: ProcessIdentity] = [:]
    /// Live PIDs in the order the proc connector announced them (newest last), bounded.
    private(set) var recent: [Int32] = []
    private var exited: [(pid: Int32, at: Timestamp)] = []
    private let recentLimit = 256
    /// Processes that exec'd and whose identity is not snapshotted yet: done after waiting lookups.
    private var snapshotQueue: [Int32] = []
    /// Children forked during the capture, by parent (dropped at the child's exit): where a socket goes when
    /// its creator forks and hands it on (a launcher, a pre-fork server, a shell's `exec 3<>/dev/tcp`).
    private var children: [Int32: [Int32]] = [:]
    private var parents: [Int32: Int32] = [:]
    /// When each identity was last confirmed against /proc (start time and uid), while exits are reported.
    private var confirmedAt: [Int32: Timestamp] = [:]
    /// Whether every exit reaches `handle` (the proc connector is attached and has lost no event since
    /// `forgetConfirmations`): only then is an identity confirmed a moment ago trusted without reading /proc.
    var exitsReported = false
    /// How long a confirmed identity is trusted: a uid changed since (a daemon dropping root) shows within it.
    static let confirmationMicros: Int64 = 1_000_000

    init(reader: ProcessIdentityReader) {
        self.reader = reader
    }

    /// Applies a proc connector event: a new process goes to the front of the scan order and, at exec, its
    /// identity is snapshotted; an exited one keeps its snapshot for a grace period.
    func handle(_ event: ProcessEvent, now: Timestamp) {
        switch event {
        case .fork(let parent, let child):
            noteNew(child)
            identities.removeValue(forKey: child)
            confirmedAt.removeValue(forKey: child)
            if parent > 1 {
                children[parent, default: []].append(child)
                parents[child] = parent
            }
        case .exec(let pid):
            noteNew(pid)
            snapshotQueue.append(pid)
            // The same process (same PID, same start time) now runs another program: what was read of it
            // before is another program's (measured: a client started through `env ip netns exec` credited
            // as /usr/bin/ip, read between the two execs). Read afresh when next asked.
            identities.removeValue(forKey: pid)
            confirmedAt.removeValue(forKey: pid)
        case .exit(let pid):
            exited.append((pid, now))
            confirmedAt.removeValue(forKey: pid)
            // Gone processes hold no sockets: scanning them first would only delay the live ones.
            if let index = recent.lastIndex(of: pid) { recent.remove(at: index) }
            if let parent = parents.removeValue(forKey: pid) {
                children[parent]?.removeAll { $0 == pid }
                if children[parent]?.isEmpty == true { children.removeValue(forKey: parent) }
            }
        }
        // Snapshots of processes that exited more than 2 s ago can no longer help a pending lookup.
        while let first = exited.first, now.microseconds(since: first.at) > 2_000_000 {
            exited.removeFirst()
            identities.removeValue(forKey: first.pid)
        }
    }

    /// The live children and grandchildren of `pid` forked since the capture began, nearest first (bounded):
    /// the heirs of a socket its creator no longer holds.
    func descendants(of pid: Int32, limit: Int = 64) -> [Int32] {
        var found: [Int32] = []
        var frontier = [pid]
        while !frontier.isEmpty && found.count < limit {
            let next = frontier.flatMap { children[$0] ?? [] }
            found.append(contentsOf: next.prefix(limit - found.count))
            frontier = next
        }
        return found
    }

    /// Processes whose exit the proc connector reported at or after `time` (oldest first), with their
    /// identity when it was snapshotted: what a lost owner's reason can tell without guessing.
    func exits(since time: Timestamp) -> [(pid: Int32, identity: ProcessIdentity?)] {
        exited.filter { $0.at >= time }.map { ($0.pid, identities[$0.pid]) }
    }

    /// Snapshots the identities of processes that exec'd since the last call (~100 us each: the worker
    /// does this after answering waiting lookups, never before).
    func takeSnapshots() {
        for pid in snapshotQueue {
            if let identity = reader.identity(of: pid) { identities[pid] = identity }
        }
        snapshotQueue.removeAll(keepingCapacity: true)
    }

    private func noteNew(_ pid: Int32) {
        if let existing = recent.lastIndex(of: pid) { recent.remove(at: existing) }
        recent.append(pid)
        if recent.count > recentLimit { recent.removeFirst(recent.count - recentLimit) }
    }

    /// The identity of `pid`: the snapshot when one stat read shows the same process (same start time) is
    /// still there (with its current uid), a fresh read otherwise, and the snapshot taken at exec when the
    /// process has exited.
    ///
    /// While exits are reported (`exitsReported`), an identity confirmed less than `confirmationMicros` ago is
    /// the same process without reading again: a PID is reused only after its process exited, which would
    /// have dropped the confirmation. A client opening connection after connection was read 4 system calls
    /// a connection for the same answer (11% of procscope's CPU under churn).
    func identity(of pid: Int32) -> ProcessIdentity? {
        let now = wallClockNow()
        if exitsReported, let known = identities[pid], let confirmed = confirmedAt[pid],
           now.microseconds(since: confirmed) < Self.confirmationMicros {
            return known
        }
        guard let ticks = reader.startTicks(of: pid) else { return identities[pid] }
        if var known = identities[pid], known.startTime == reader.startTime(ticks: ticks) {
            // The same process, but it may have changed user since exec (a daemon dropping root): one stat.
            if let uid = reader.proc.ownerUID(of: pid), uid != known.uid {
                known.uid = uid
                known.userName = reader.userNames(uid)
                identities[pid] = known
            }
            confirmedAt[pid] = now
            return known
        }
        let fresh = reader.identity(of: pid)
        identities[pid] = fresh
        if fresh != nil { confirmedAt[pid] = now } else { confirmedAt.removeValue(forKey: pid) }
        return fresh
    }

    /// Exits may have been missed (the proc connector overran): every identity is read again before trusted.
    func forgetConfirmations() {
        confirmedAt.removeAll()
    }

    /// Candidate PIDs to scan for a socket: the newest processes first, then all others by descending PID
    /// (PIDs grow, so higher usually means newer).
    func scanOrder(all: [Int32]) -> [Int32] {
        let newest = recent.reversed()
        let newestSet = Set(newest)
        return Array(newest) + all.filter { !newestSet.contains($0) }.sorted(by: >)
    }
}
