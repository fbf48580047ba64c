/// The streaming export (`capture --ndjson`): one JSON line per conversation when it changed during an
/// interval (`update`), when it ends (`closed`), and for every one at the end (`final`), so a pipeline (jq, a
/// log shipper) can follow a long capture. Each line holds the conversation as in schema procscope/1 and
/// its owner's identity (null when unknown: the reason is in the conversation). Keys are sorted.
public final class ConversationStream {
    private let filter: OwnerFilter
    /// Per conversation: packets at its last line; the top bit once its `closed` line was written.
    private var emitted: [UInt64] = []
    private static let closedBit: UInt64 = 1 << 63

    public init(filter: OwnerFilter = OwnerFilter()) {
        self.filter = filter
    }

    /// The lines due now: changed and closed conversations (`final`: every conversation not closed yet).
    /// Conversations whose owner is still being looked up wait for the answer, except at the end.
    public func lines(_ session: CaptureSession, now: Timestamp, final: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        let conversations = session.conversations
        if emitted.count < conversations.count {
            emitted.append(contentsOf: repeatElement(0, count: conversations.count - emitted.count))
        }
        for index in conversations.indices where emitted[index] & Self.closedBit == 0 {
            let conversation = conversations[index]
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
            let (entry, owner) = session.entry(ofConversation: Int32(index))
            guard owner.map(filter.keeps) ?? filter.keepsUnknown else { continue }
            var writer = JSONWriter(capacity: 1024)
            writer.object { w in
                w.key("conversation"); entry.write(to: &w)
                w.key("event"); w.string(event)
                w.key("owner")
                if let owner { owner.writeIdentity(to: &w) } else { w.null() }
                w.key("time"); w.timestamp(now)
            }
            out += writer.bytes
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

extension ProcessIdentity {
    /// The identity fields of a process entry (schema procscope/1), without its traffic.
    func writeIdentity(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("cmdline"); w.array { w in for argument in commandLine { w.string(argument) } }
            w.key("container"); w.string(container)
            w.key("exe"); w.string(executable)
            w.key("name"); w.string(name)
            w.key("netns"); w.number(networkNamespace)
            w.key("pid"); w.number(Int64(pid))
            w.key("start_time"); w.timestamp(startTime)
            w.key("uid"); w.number(UInt64(uid))
            w.key("user"); w.string(userName)
        }
    }
}
