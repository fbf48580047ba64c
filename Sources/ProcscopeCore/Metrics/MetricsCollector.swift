/// Builds `MetricsSnapshot`s from a session, on its thread, keeping what Prometheus needs from one scrape to
/// the next.
///
/// - **A bounded number of series.** The first `seriesLimit` programs seen get a series each; later ones are
///   counted together under `program="other"` (and `foldedPrograms` says how many). Not a top N re-ranked at
///   each scrape: a program leaving the top would take its bytes out of its series, and a counter that falls
///   reads as a restart to `rate()`.
/// - **Counters that never fall.** A conversation's bytes can move: from one reason to another, or from
///   unknown to a process, when an answer changes. Each series serves the most it ever served, so the move
///   shows once the new place has caught up, never as a decrease.
/// - **Settled traffic only.** Conversations still waiting for their lookup are left out until answered
///   (their bytes then appear under their owner, not first under a reason and then elsewhere).
public final class MetricsCollector {
    public let seriesLimit: Int
    private var keys: [ProgramSeriesKey] = []
    private var seriesOf: [ProgramSeriesKey: Int] = [:]
    /// Per owner index of the session: its series, or -1 while not looked at yet.
    private var seriesOfOwner: [Int] = []
    private var otherSeries: Int?
    private var folded = Set<ProgramSeriesKey>()
    private var servedPrograms: [(tx: TrafficCounter, rx: TrafficCounter)] = []
    private var servedReasons: [UnknownReason: (tx: TrafficCounter, rx: TrafficCounter)] = [:]

    public init(seriesLimit: Int = 500) {
        self.seriesLimit = max(1, seriesLimit)
    }

    public func snapshot(of session: CaptureSession) -> MetricsSnapshot {
        var programs = [(tx: TrafficCounter, rx: TrafficCounter)](repeating: (.init(), .init()), count: keys.count)
        var reasons: [UnknownReason: (tx: TrafficCounter, rx: TrafficCounter)] = [:]
        func addProgram(_ owner: Int32, tx: TrafficCounter, rx: TrafficCounter) {
            let series = self.series(ofOwner: owner, in: session)
            if series >= programs.count { programs.append(contentsOf: repeatElement((.init(), .init()), count: series + 1 - programs.count)) }
            programs[series].tx.add(tx)
            programs[series].rx.add(rx)
        }
        func addReason(_ reason: UnknownReason, tx: TrafficCounter, rx: TrafficCounter) {
            var totals = reasons[reason] ?? (TrafficCounter(), TrafficCounter())
            totals.tx.add(tx)
            totals.rx.add(rx)
            reasons[reason] = totals
        }
        let table = session.table
        for slot in table.slots where !table[slot].isRetired && !table[slot].isPending {
            let conversation = table[slot]
            if conversation.owner >= 0 {
                addProgram(conversation.owner, tx: conversation.tx, rx: conversation.rx)
            } else if conversation.owner == Conversation.unknown {
                addReason(session.reasons[Int(conversation.methodOrReason)], tx: conversation.tx, rx: conversation.rx)
            }
        }
        for (owner, totals) in session.folded.owners { addProgram(owner, tx: totals.tx, rx: totals.rx) }
        for (reason, totals) in session.folded.reasons { addReason(reason, tx: totals.tx, rx: totals.rx) }
        for (reason, totals) in session.unkeyed { addReason(reason, tx: totals.tx, rx: totals.rx) }

        var snapshot = MetricsSnapshot()
        if servedPrograms.count < programs.count {
            servedPrograms.append(contentsOf: repeatElement((.init(), .init()), count: programs.count - servedPrograms.count))
        }
        for (series, totals) in programs.enumerated() {
            servedPrograms[series].tx = Self.atLeast(servedPrograms[series].tx, totals.tx)
            servedPrograms[series].rx = Self.atLeast(servedPrograms[series].rx, totals.rx)
            snapshot.programs.append(.init(key: keys[series], tx: servedPrograms[series].tx, rx: servedPrograms[series].rx))
        }
        for (reason, totals) in reasons {
            let served = servedReasons[reason] ?? (TrafficCounter(), TrafficCounter())
            let now = (tx: Self.atLeast(served.tx, totals.tx), rx: Self.atLeast(served.rx, totals.rx))
            servedReasons[reason] = now
        }
        for (reason, served) in servedReasons {
            snapshot.unattributed.append(.init(reason: reason, tx: served.tx, rx: served.rx))
        }
        snapshot.programs.sort { ($0.key.program, $0.key.user) < ($1.key.program, $1.key.user) }
        snapshot.unattributed.sort { $0.reason.rawValue < $1.reason.rawValue }
        snapshot.foldedPrograms = folded.count
        snapshot.packets = session.counters.packets
        snapshot.bytes = session.counters.bytes
        snapshot.undecodable = session.counters.undecodable
        snapshot.liveConversations = table.liveCount
        snapshot.pendingLookups = session.pending.count
        snapshot.latency = session.attributionLatencies
        return snapshot
    }

    /// The series an owner of the session counts in, admitting its program if there is room.
    private func series(ofOwner owner: Int32, in session: CaptureSession) -> Int {
        let index = Int(owner)
        if index < seriesOfOwner.count, seriesOfOwner[index] >= 0 { return seriesOfOwner[index] }
        if index >= seriesOfOwner.count {
            seriesOfOwner.append(contentsOf: repeatElement(-1, count: index + 1 - seriesOfOwner.count))
        }
        let key = ProgramSeriesKey(session.owners[index])
        let series: Int
        if let known = seriesOf[key] {
            series = known
        } else if keys.count - (otherSeries == nil ? 0 : 1) < seriesLimit {
            series = admit(key)
        } else {
            folded.insert(key)
            series = otherSeries ?? admit(.other)
            otherSeries = series
        }
        seriesOfOwner[index] = series
        return series
    }

    private func admit(_ key: ProgramSeriesKey) -> Int {
        keys.append(key)
        seriesOf[key] = keys.count - 1
        return keys.count - 1
    }

    private static func atLeast(_ served: TrafficCounter, _ now: TrafficCounter) -> TrafficCounter {
        TrafficCounter(packets: max(served.packets, now.packets), bytes: max(served.bytes, now.bytes))
    }
}
