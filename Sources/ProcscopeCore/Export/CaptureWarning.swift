/// Something that cost the capture what it could see or say, as told on stderr and kept for the JSON's
/// `capture.warnings`: a missing capability or kernel feature at the start, a full flow table, kernel drops.
/// One per kind in a report (the first time it was said); the counts that go with them (drops, frames under
/// `flow-table-full`) are in the report itself.
public struct CaptureWarning: Sendable, Equatable {
    /// At the start: `unreadable-descriptors` (another user's /proc/PID/fd: a capability missing),
    /// `no-socket-close-events`, `no-process-events`, `no-socket-release-recorder`, `no-first-send-recorder`,
    /// `no-address-events`, `no-conntrack-events`. While capturing: `flow-table-full`, `kernel-drops`,
    /// `pending-log-full`.
    public var kind: String
    /// What happened, what it costs, and what to change.
    public var message: String

    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Encoded for the annotated file's capture record (`kind`, a tab, the message).
    var encoded: String { kind + "\t" + message }

    init(encoded: String) {
        let parts = encoded.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
        kind = String(parts[0])
        message = parts.count > 1 ? String(parts[1]) : ""
    }
}
