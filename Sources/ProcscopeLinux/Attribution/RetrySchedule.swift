import ProcscopeCore

/// The lookups the attribution worker asks again later, and when.
///
/// Some are server-side connections waiting in their listener's accept queue: the lookup saw an established
/// connection with no inode yet, and must look again once the server has called `accept()`. A server that
/// falls behind holds dozens of connections there, and asking each of them again every millisecond costs a
/// sock_diag request per waiting connection per round. A queue is accepted from in order, so while its oldest
/// connection still waits, the younger ones wait too: each round asks for the oldest of each queue, and the
/// others of that queue are put off to the next round without a request. Put off only a few rounds in a row
/// (`maxDeferrals`), a connection is still asked about itself even when order does not hold (a listener
/// shared with `SO_REUSEPORT`, whose sockets each have a queue; a handshake that completed out of order):
/// putting off costs latency, never an answer, since nothing is concluded from a lookup that was not made.
/// (The churn benchmark's server mostly falls behind differently, its connections reset before they are
/// accepted; this schedule did not change its figures.)
struct RetrySchedule {
    struct Entry {
        var request: AttributionRequest
        var attempt: Int
        var due: Timestamp
        /// The queue the connection was last seen waiting in; nil for other retries.
        var queue: AcceptQueue?
        /// Rounds in a row put off behind an older connection of its queue.
        var deferrals = 0
    }

    static let maxDeferrals = 3

    private(set) var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    /// When the next entry is due.
    var nextDue: Timestamp? { entries.lazy.map(\.due).min() }

    /// Asks again for `request` at `due`.
    mutating func add(_ request: AttributionRequest, attempt: Int, due: Timestamp, queue: AcceptQueue? = nil) {
        entries.append(Entry(request: request, attempt: attempt, due: due, queue: queue))
    }

    /// Takes out the entries due at `now`, oldest flow first: the order their lookups are to be made in.
    mutating func takeDue(now: Timestamp) -> [Entry] {
        var due = entries.filter { $0.due <= now }
        guard !due.isEmpty else { return [] }
        entries.removeAll { $0.due <= now }
        due.sort { $0.request.firstSeen < $1.request.firstSeen }
        return due
    }

    /// Puts `entry` off to `due`, with its attempt counted, when an older connection of its queue was just
    /// seen still waiting (`waiting`: the queues whose lookups this round said so); true when it did. Not
    /// after `maxDeferrals` rounds in a row, nor when its next attempt is its last (`lastAttempt`: the lookup
    /// that gives up waiting must be made).
    mutating func putOff(_ entry: Entry, behind waiting: Set<AcceptQueue>, lastAttempt: Int, due: Timestamp) -> Bool {
        guard let queue = entry.queue, waiting.contains(queue), entry.deferrals < Self.maxDeferrals,
              entry.attempt + 1 < lastAttempt else { return false }
        var later = entry
        later.deferrals += 1
        later.attempt += 1
        later.due = due
        entries.append(later)
        return true
    }
}
