import ProcscopeCore

/// When the attribution worker turns next while work comes fast: at most every `intervalMicros` instead of
/// at each wake, taking what came meanwhile.
///
/// Under connection churn (40,000 lookups and as many closes a second) the worker had woken for nearly every
/// one, a context switch each on a real-time thread that preempts the very processes making the connections.
/// It batches while lookups and closes come at over 20,000 a second (`BusyRate`, calm again below 10,000);
/// their answers then wait that long at most, when under churn answers already take milliseconds (a server's
/// side waits for its close). The interval starts at 0.25 ms and doubles while turns take `fullTurn` or more,
/// up to 1 ms: a churning client's 80,000 a second fill each turn at any interval, and used 20% less CPU at
/// 1 ms than at 0.25 ms (55-60 against 62-74 us a connection). The rates are well above what a few thousand
/// connections a second bring: batching from 5,000 a second, 200 short-lived clients started one after the
/// other beside a busy host (`BusyHostTests`) had their median first-packet-to-owner go from 0.3 to 1.7 ms.
struct WorkBatching {
    static let intervalMicros: ClosedRange<Int64> = 250...1_000
    static let fullTurn = 8

    private var rate = BusyRate(above: 20_000, below: 10_000)
    private(set) var intervalMicros = intervalMicros.lowerBound
    private var lastTurn: Timestamp

    init(now: Timestamp) { lastTurn = now }

    /// Whether the worker batches: its next turn is `nextTurn`, whatever is due or arrives before it.
    var isOn: Bool { rate.isBusy }

    /// The next turn's time while batching; nil when the worker wakes for each piece of work.
    var nextTurn: Timestamp? {
        isOn ? Timestamp(microseconds: lastTurn.microseconds + intervalMicros) : nil
    }

    /// A turn began at `now`.
    mutating func turnBegan(at now: Timestamp) { lastTurn = now }

    /// A turn took `work` lookups and closes, at `now`.
    mutating func note(_ work: Int, at now: Timestamp) {
        _ = rate.note(work, at: now)
        intervalMicros = work >= Self.fullTurn ? min(intervalMicros * 2, Self.intervalMicros.upperBound)
            : Self.intervalMicros.lowerBound
    }
}
