/// The streaming export (`capture --ndjson`): one JSON line per conversation when it changed during an
/// interval (`update`), when it ends (`closed`), and for every one at the end (`final`), so a pipeline (jq, a
/// log shipper) can follow a long capture; a conversation folded away in a long run gets its last line then
/// (`closed`, or `expired` after a long silence). When is `ConversationChanges`'s to say. Each line holds the
/// conversation as in schema procscope/2 (its `id` names it across its lines) and its owner's identity (null
/// when unknown: the reason is in the conversation). Keys are sorted.
public final class ConversationStream {
    /// Each line's `schema`: the line's layout (its conversation and owner are as in procscope/2). A new field
    /// keeps it; a renamed or removed one changes it.
    public static let schema = "procscope-ndjson/1"
    private let filter: OwnerFilter
    private let changes = ConversationChanges()

    public init(filter: OwnerFilter = OwnerFilter()) {
        self.filter = filter
    }

    /// Lines of conversations retired since the last `lines` call.
    private var retiredLines: [UInt8] = []

    /// Has the stream follow the session's retirements: a retired conversation gets its last line then,
    /// before its slot is reused.
    public func follow(_ session: CaptureSession) {
        changes.follow(session) { [unowned self, unowned session] conversation, event, now in
            append(conversation, event: event.rawValue, session, now: now, to: &retiredLines)
        }
    }

    /// The last lines of conversations retired since the last call: written at once, so a long run never
    /// holds more than a turn's worth.
    public func takeRetiredLines() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &retiredLines)
        return taken
    }

    /// The lines due now: changed and closed conversations (`final`: every conversation not closed yet).
    public func lines(_ session: CaptureSession, now: Timestamp, final: Bool = false) -> [UInt8] {
        var out = retiredLines
        retiredLines.removeAll()
        changes.due(session, final: final) { conversation, event in
            append(conversation, event: event.rawValue, session, now: now, to: &out)
        }
        return out
    }

    /// One line: the conversation as in schema procscope/2, the event, its owner's identity, the time.
    private func append(_ conversation: Int32, event: String, _ session: CaptureSession, now: Timestamp,
                        to out: inout [UInt8]) {
        let (entry, owner) = session.entry(ofConversation: conversation)
        guard owner.map(filter.keeps) ?? filter.keepsUnknown else { return }
        var writer = JSONWriter(capacity: 1024)
        writer.object { w in
            w.key("conversation"); entry.write(to: &w)
            w.key("event"); w.string(event)
            w.key("owner")
            if let owner { owner.writeIdentity(to: &w) } else { w.null() }
            w.key("schema"); w.string(Self.schema)
            w.key("time"); w.timestamp(now)
        }
        out += writer.bytes
        out.append(UInt8(ascii: "\n"))
    }
}
