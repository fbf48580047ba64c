import ProcscopeCore

/// Reads a pcap or pcapng file through the same session as a live capture. A file procscope wrote (`-w`)
/// carries the live run's attribution and is replayed to the same conversations; in any other file every
/// flow is `offline-capture`, and direction comes from cooked headers or from who spoke first.
///
/// Regular files go through procscope's mapped readers (`CaptureFileSource`); standard input, pipes and
/// formats only libpcap knows go through libpcap.
public final class FileCapture {
    public let source: CaptureSource
    public let session: CaptureSession
    public let filter: String?
    /// The tables of a procscope-annotated file, nil for any other.
    public let annotations: CaptureAnnotations?
    /// Called after each batch of frames (a listing prints from here).
    public var onBatch: (() -> Void)?
    private var stopRequested = false

    /// Ends the reading after the current batch (from `onBatch`: an output that failed).
    public func requestStop() { stopRequested = true }

    public init(path: String, filter: String?) throws {
        if path != "-", let mapped = try CaptureFileSource(path: path, filter: filter) {
            source = mapped
            annotations = mapped.annotations
        } else {
            source = try PcapCaptureSource.file(path: path, filter: filter)
            annotations = nil
        }
        self.filter = filter
        session = CaptureSession(
            linkType: source.linkType, configuration: SessionConfiguration(localAddresses: nil),
            attributor: FixedReasonAttributor(reason: .offlineCapture,
                                              detail: "read from a capture file without procscope annotations"))
    }

    /// Whether the caller reads each frame's comment or named process while it is handed over (audit, on a
    /// file without procscope's tables): frames are then read one at a time on this thread, not ahead.
    public var readsFrameComments = false

    /// Reads to the end, the packet limit, or a signal. A corrupt tail is rethrown after everything before it
    /// has been accounted, so the caller can still write the report.
    public func run(until stop: StopCondition, signals: SignalWatcher?) throws -> StopReason {
        if annotations == nil, !readsFrameComments, let mapped = source as? CaptureFileSource {
            return try runReadingAhead(mapped, until: stop, signals: signals)
        }
        let session = self.session
        let annotated = annotations.flatMap { tables in (source as? CaptureFileSource).map { ($0, tables) } }
        var lastFrame = Timestamp.zero, lastRetirement = Timestamp.zero
        while true {
            var limit = Self.turnFrames
            if let packetLimit = stop.packetLimit {
                if session.counters.packets >= packetLimit { return .packetLimit }
                limit = Int(min(UInt64(limit), packetLimit - session.counters.packets))
            }
            let delivered: Int?
            if let (file, tables) = annotated {
                delivered = try source.dispatch(limit: limit) { bytes, length, time in
                    session.replay(bytes, wireLength: length, at: time, annotation: file.currentAnnotation, from: tables)
                }
            } else {
                delivered = try source.dispatch(limit: limit) { bytes, length, time in
                    session.ingest(bytes, wireLength: length, at: time)
                    lastFrame = time
                }
            }
            if let reason = endTurn(lastFrame: lastFrame, lastRetirement: &lastRetirement, atEnd: delivered == nil,
                                    signals: signals) {
                return reason
            }
        }
    }

    /// Frames between two turns (the outputs take their packets, ended conversations are folded away,
    /// signals are looked at).
    static let turnFrames = 16384

    /// A mapped file without procscope's annotations: read and decoded ahead (`FileReadAhead`), counted here.
    private func runReadingAhead(_ mapped: CaptureFileSource, until stop: StopCondition,
                                 signals: SignalWatcher?) throws -> StopReason {
        let ahead = FileReadAhead(source: mapped, plain: session.takesPlainFrames)
        defer { ahead.stop() }
        var lastFrame = Timestamp.zero, lastRetirement = Timestamp.zero
        var sinceTurn = 0
        while true {
            let batch = ahead.next()
            let counted = session.ingest(UnsafeBufferPointer(start: batch.frames, count: batch.count),
                                         packetLimit: stop.packetLimit)
            if counted > 0 { lastFrame = batch.frames[counted - 1].time }
            sinceTurn += counted
            let limitReached = stop.packetLimit.map { session.counters.packets >= $0 } ?? false
            if sinceTurn >= Self.turnFrames || batch.ended || limitReached {
                sinceTurn = 0
                // A corrupt tail is thrown once the frames before it are counted and handed to the outputs.
                if batch.ended, let error = batch.error {
                    onBatch?()
                    throw error
                }
                if let reason = endTurn(lastFrame: lastFrame, lastRetirement: &lastRetirement, atEnd: batch.ended,
                                        signals: signals) {
                    return reason
                }
                if limitReached { return .packetLimit }
            }
            ahead.done(with: batch)
        }
    }

    /// After a turn's frames: the outputs take their packets; what ended is folded away, by the file's clock,
    /// once a second of it (the walk covers every slot; the idle limits are seconds). The reason to stop, if any.
    private func endTurn(lastFrame: Timestamp, lastRetirement: inout Timestamp, atEnd: Bool,
                         signals: SignalWatcher?) -> StopReason? {
        onBatch?()
        let sinceRetirement = lastFrame.microseconds(since: lastRetirement)
        if sinceRetirement > 1_000_000 || sinceRetirement < 0 || atEnd {
            session.retireIdle(now: lastFrame)
            lastRetirement = lastFrame
        }
        if atEnd { return .endOfFile }
        if let signals, signals.check() { return .signal(signals.received ?? 2) }
        if stopRequested { return .requested }
        return nil
    }

    /// `.slots` lists conversations as slots made into values when read (`CaptureSession.Listing`): only once
    /// the reading has ended.
    public func report(listing: CaptureSession.Listing = .values) -> CaptureReport {
        if let recorded = annotations?.capture {
            var info = recorded
            if let filter { info.filter = filter }
            var report = session.report(info, listing: listing)
            report.capture.duplicates = filter == nil ? recorded.duplicates : 0
            return report
        }
        let table = session.table
        let live = table.slots.lazy.map { table[$0] }.filter { !$0.isRetired }
        let first = ([live.map(\.firstSeen).min(), session.folded.firstSeen].compactMap { $0 }).min() ?? .zero
        let last = ([live.map(\.lastSeen).max(), session.folded.lastSeen].compactMap { $0 }).max() ?? .zero
        return session.report(CaptureReport.CaptureInfo(interfaces: [source.name], filter: filter,
                                                        started: first, ended: last), listing: listing)
    }
}
