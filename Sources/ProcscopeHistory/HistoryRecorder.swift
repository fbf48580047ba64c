import ProcscopeCore

/// What `procscope record` keeps of a session: a row per conversation when it changed, ended or was folded
/// away (`ConversationChanges`, as the NDJSON stream), handed to the writer. Runs on the capture thread.
public final class HistoryRecorder {
    private let changes = ConversationChanges()
    private let writer: HistoryWriter
    private var retired: [HistoryRow] = []

    public init(writer: HistoryWriter) {
        self.writer = writer
    }

    /// Follows the session's retirements: a conversation folded away gets its last row before its slot goes.
    public func follow(_ session: CaptureSession) {
        changes.follow(session) { [unowned self, unowned session] conversation, event, _ in
            let (entry, owner) = session.entry(ofConversation: conversation)
            retired.append(HistoryRow(entry, owner: owner, event: event.rawValue))
        }
    }

    /// Hands over the rows due now (`final`: every conversation, at the end).
    public func turn(_ session: CaptureSession, final: Bool = false) {
        var rows = retired
        retired.removeAll()
        changes.due(session, final: final) { conversation, event in
            let (entry, owner) = session.entry(ofConversation: conversation)
            rows.append(HistoryRow(entry, owner: owner, event: event.rawValue))
        }
        writer.enqueue(rows)
    }
}
