/// The streaming export (`capture --ndjson`): one JSON line per conversation when it changed during an
/// interval (`update`), when it ends (`closed`), and for every one at the end (`final`), so a pipeline (jq, a
/// log shipper) can follow a long capture (the conversation's `id` names it across its lines); a conversation folded away in a long run gets its last line then
/// (`closed`, or `expired` after a long silence). Each line holds the conversation as in schema procscope/2 and
/// its owner's identity (null when unknown: the reason is in the conversation). Keys are sorted.
public final class ConversationStream {
    /// Each line's `schema`: the line's layout (its conversation and owner are as in procscope/2). A new field keeps it;
    /// a renamed or removed one changes it.
    public static let schema = "procscope-ndjson/1"
    private let filter: OwnerFilter
    /// Per conversation: packets at its last line; the top bit once its `closed` line was written.
    private var emitted: [UInt64] = []
    private static let closedBit: UInt64 = 1 << 63

    public init(filter: OwnerFilter = OwnerFilter()) {
        self.filter = filter
    }

    /// Lines of conversations retired since the last `lines` call.
    private var retiredLines: [UInt8] = []

    /// Has the stream follow the session's retirements (`CaptureSession.retireIdle`): a retired conversation
    /// gets its last line then (`closed`, or `expired` when it went silent without a close), before its slot
    /// is reused.
    public func follow(_ session: CaptureSession) {
        session.retirementObservers.append { [unowned self, unowned session] conversation, now in
            let index = Int(conversation)
            grow(to: session.table.slotCount)
            if emitted[index] & Self.closedBit == 0 {
                // Ended by its socket's close, or by FIN/RST (a file has no close events); else gone silent.
                let record = session.table[index]
                let event = record.isClosed || !record.tcpFlagsSeen.isDisjoint(with: [.fin, .rst]) ? "closed" : "expired"
                append(conversation, event: event, session, now: now, to: &retiredLines)
            }
            emitted[index] = 0
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
    /// Conversations whose owner is still being looked up wait for the answer, except at the end.
    public func lines(_ session: CaptureSession, now: Timestamp, final: Bool = false) -> [UInt8] {
        var out = retiredLines
        retiredLines.removeAll()
        let table = session.table
        grow(to: table.slotCount)
        for index in table.slots where emitted[index] & Self.closedBit == 0 && !table[index].isRetired {
            let conversation = table[index]
            let packets = conversation.tx.packets &+ conversation.rx.packets
            let event: String
            if conversation.isClosed {
                event = "closed"
            } else if final {
                event = "final"
            } else if packets != emitted[index] && !conversation.isPending {
                event = "update"
            } else {
                continue
            }
            emitted[index] = packets | (event == "update" ? 0 : Self.closedBit)
            append(Int32(index), event: event, session, now: now, to: &out)
        }
        return out
    }

    /// One entry per table slot: grown as the table grows, cut when the table dropped its free end (slots
    /// past it were retired, their entries reset).
    private func grow(to count: Int) {
        if emitted.count < count { emitted.append(contentsOf: repeatElement(0, count: count - emitted.count)) }
        if emitted.count > count * 2 + 1024 { emitted = Array(emitted[..<count]) }
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
