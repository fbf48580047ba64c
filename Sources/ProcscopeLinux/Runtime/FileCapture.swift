import ProcscopeCore

/// Reads a pcap or pcapng file through the same session as a live capture. Without process annotations in
/// the file every flow is `offline-capture`; direction comes from cooked headers or from who spoke first.
///
/// Regular files go through procscope's mapped readers (`CaptureFileSource`); standard input, pipes and
/// formats only libpcap knows go through libpcap.
public final class FileCapture {
    public let source: CaptureSource
    public let session: CaptureSession
    public let filter: String?
    /// Called after each batch of frames (a listing prints from here).
    public var onBatch: (() -> Void)?

    public init(path: String, filter: String?) throws {
        if path != "-", let mapped = try CaptureFileSource(path: path, filter: filter) {
            source = mapped
        } else {
            source = try PcapCaptureSource.file(path: path, filter: filter)
        }
        self.filter = filter
        session = CaptureSession(
            linkType: source.linkType, configuration: SessionConfiguration(localAddresses: nil),
            attributor: FixedReasonAttributor(reason: .offlineCapture,
                                              detail: "read from a capture file without procscope annotations"))
    }

    /// Reads to the end, the packet limit, or a signal. A corrupt tail is rethrown after everything before it
    /// has been accounted, so the caller can still write the report.
    public func run(until stop: StopCondition, signals: SignalWatcher?) throws -> StopReason {
        let session = self.session
        while true {
            var limit = 65536
            if let packetLimit = stop.packetLimit {
                if session.counters.packets >= packetLimit { return .packetLimit }
                limit = Int(min(UInt64(limit), packetLimit - session.counters.packets))
            }
            let delivered = try source.dispatch(limit: limit) { bytes, length, time in
                session.ingest(bytes, wireLength: length, at: time)
            }
            onBatch?()
            if delivered == nil { return .endOfFile }
            if let signals, signals.check() { return .signal(signals.received ?? 2) }
        }
    }

    public func report() -> CaptureReport {
        let first = session.conversations.lazy.map(\.firstSeen).min() ?? .zero
        let last = session.conversations.lazy.map(\.lastSeen).max() ?? .zero
        return session.report(CaptureReport.CaptureInfo(interfaces: [source.name], filter: filter,
                                                        started: first, ended: last))
    }
}
