import ProcscopeCore

/// Lookups waiting for their tuple's close to be reported (`OwnershipResolver.Outcome.awaitClose`), each
/// asked again when a close that can cover it was taken and its own close is in, or when its patience runs
/// out.
///
/// Under connection churn a thousand wait (a server's side of connections reset before `accept()`, whose
/// answer comes with the server's close) while closes arrive twenty thousand times a second, and the worker
/// turns about as often. So nothing here walks every waiter: a connected socket's close is checked against
/// the waiters of its own ports only (kept by local port and remote port: a server's waiters all share its
/// local port), and the due times are kept in a heap (`DeadlineHeap`). Checking every waiter at every close
/// took 15% of procscope's CPU; then finding the next due time by walking them all, another 16%.
/// Only the rare close of an unconnected socket (remote port 0), which may cover every waiter of its local
/// port, walks them.
struct CloseWaiters {
    struct Waiter {
        var request: AttributionRequest
        var attempt: Int
        var due: Timestamp
    }

    /// A tuple's ports: what a close of a connected socket must share with a waiter to cover it.
    private struct Ports: Hashable {
        var local: LocalPortKey
        var remotePort: UInt16

        init(_ key: FlowKey) { (local, remotePort) = (LocalPortKey(key), key.remote.port) }
    }

    private var waiters: [Int: Waiter] = [:]
    private var byPorts: [Ports: [Int]] = [:]
    /// Every ticket still waiting is here, with tickets already taken by a close, skipped when they come up.
    private var deadlines = DeadlineHeap()
    private var nextTicket = 0

    var count: Int { waiters.count }
    var isEmpty: Bool { waiters.isEmpty }

    /// No waiter is due before this (nil when none waits).
    var earliestDue: Timestamp? { deadlines.first?.due }

    mutating func add(_ waiter: Waiter) {
        let ticket = nextTicket
        nextTicket &+= 1
        waiters[ticket] = waiter
        byPorts[Ports(waiter.request.key), default: []].append(ticket)
        deadlines.insert(ticket, due: waiter.due)
    }

    /// Takes out the waiters due at `now`, and those a close in `closed` (the tuples of closes taken since
    /// the last call) may cover for which `closeArrived` says their own close is in.
    mutating func takeReady(now: Timestamp, closed: [FlowKey], closeArrived: (AttributionRequest) -> Bool) -> [Waiter] {
        var ready: [Waiter] = []
        if !waiters.isEmpty {
            for key in closed {
                if key.remote.port == 0 {
                    let local = LocalPortKey(key)
                    for (ticket, waiter) in waiters where LocalPortKey(waiter.request.key) == local {
                        if waiter.due <= now || closeArrived(waiter.request) { ready.append(take(ticket)) }
                    }
                } else if let tickets = byPorts[Ports(key)] {
                    for ticket in tickets {
                        guard let waiter = waiters[ticket] else { continue }
                        if waiter.due <= now || closeArrived(waiter.request) { ready.append(take(ticket)) }
                    }
                }
            }
        }
        while let ticket = deadlines.popDue(now: now) {
            if waiters[ticket] != nil { ready.append(take(ticket)) }
        }
        dropTakenDeadlines()
        return ready
    }

    /// Takes a waiter out of the waiters and its ports' list; its deadline stays, skipped when it comes up.
    private mutating func take(_ ticket: Int) -> Waiter {
        let waiter = waiters.removeValue(forKey: ticket)!
        if let index = byPorts.index(forKey: Ports(waiter.request.key)) {
            byPorts.values[index].removeAll { $0 == ticket }
            if byPorts.values[index].isEmpty { byPorts.remove(at: index) }
        }
        return waiter
    }

    /// Drops the deadlines of waiters already taken from the top, so `earliestDue` is a waiting one's. With
    /// none waiting, lets go of what a burst of them grew (a dictionary keeps its capacity when emptied).
    private mutating func dropTakenDeadlines() {
        guard !waiters.isEmpty else {
            if waiters.capacity > 1024 { (waiters, byPorts) = ([:], [:]) }
            return deadlines.removeAll()
        }
        while let first = deadlines.first, waiters[first.ticket] == nil { deadlines.popFirst() }
    }
}
