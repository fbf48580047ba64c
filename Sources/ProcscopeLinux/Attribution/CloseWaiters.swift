import ProcscopeCore

/// Lookups waiting for their tuple's close to be reported (`OwnershipResolver.Outcome.awaitClose`), each
/// asked again when a close that can cover it was taken and its own close is in, or when its patience runs
/// out.
///
/// Under connection churn thousands wait (a server's side of connections reset before `accept()`, whose
/// answer comes with the server's close) while closes arrive all the time: checking every waiter at every
/// close took 15% of procscope's CPU. Waiters are kept by local port and then remote port, so a connected
/// socket's close is checked against the waiters of its two ports only (an unconnected one's, whose remote
/// port is 0, against its local port's), and the due times are scanned only once the earliest has passed.
struct CloseWaiters {
    struct Waiter {
        var request: AttributionRequest
        var attempt: Int
        var due: Timestamp
    }

    private var byPort: [LocalPortKey: [UInt16: [Waiter]]] = [:]
    private(set) var count = 0
    /// No waiter is due before this (nil when none waits).
    private(set) var earliestDue: Timestamp?

    var isEmpty: Bool { count == 0 }

    mutating func add(_ waiter: Waiter) {
        let key = waiter.request.key
        byPort[LocalPortKey(key), default: [:]][key.remote.port, default: []].append(waiter)
        count += 1
        earliestDue = min(earliestDue ?? waiter.due, waiter.due)
    }

    /// Takes out the waiters due at `now`, and those a close in `closed` (the tuples of closes taken since
    /// the last call) may cover for which `closeArrived` says their own close is in.
    mutating func takeReady(now: Timestamp, closed: [FlowKey], closeArrived: (AttributionRequest) -> Bool) -> [Waiter] {
        var ready: [Waiter] = []
        func take(_ local: LocalPortKey, _ remotePort: UInt16, where isReady: (Waiter) -> Bool) {
            guard let waiters = byPort[local]?[remotePort] else { return }
            var staying: [Waiter] = []
            for waiter in waiters {
                if isReady(waiter) { ready.append(waiter) } else { staying.append(waiter) }
            }
            byPort[local]?[remotePort] = staying.isEmpty ? nil : staying
            if byPort[local]?.isEmpty == true { byPort.removeValue(forKey: local) }
        }
        let isReady = { (waiter: Waiter) in waiter.due <= now || closeArrived(waiter.request) }
        var looked = Set<FlowKey>()
        for key in closed where looked.insert(key).inserted {
            let local = LocalPortKey(key)
            if key.remote.port == 0 {
                for remotePort in byPort[local].map({ Array($0.keys) }) ?? [] { take(local, remotePort, where: isReady) }
            } else {
                take(local, key.remote.port, where: isReady)
            }
        }
        if let earliestDue, earliestDue <= now {
            for (local, remotes) in byPort {
                for remotePort in remotes.keys { take(local, remotePort) { $0.due <= now } }
            }
        }
        count -= ready.count
        if ready.isEmpty { return [] }
        earliestDue = byPort.values.lazy.flatMap { $0.values }.flatMap { $0 }.map(\.due).min()
        return ready
    }
}
