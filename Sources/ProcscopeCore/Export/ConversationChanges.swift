/// Which conversations an output that follows a long capture writes, and when: when it changed (`update`),
/// when it ended (`closed`), when it was folded away after a long silence (`expired`), and, for those still
/// open, at the end (`final`). Each conversation's closing event comes once. Shared by the NDJSON stream and
/// the history recorder, so both see the same conversations at the same moments.
public final class ConversationChanges {
    public enum Event: String, Sendable {
        case update, closed, expired, final
    }

    /// Per slot: packets at its last event; the top bit once its closing event was given.
    private var emitted: [UInt64] = []
    private static let closedBit: UInt64 = 1 << 63

    public init() {}

    /// Has `retired` called for each conversation the session retires (`CaptureSession.retireIdle`) that has
    /// not had its closing event yet: `closed`, or `expired` when it went silent without a close. Called
    /// before its slot is reused, while the session still holds it.
    public func follow(_ session: CaptureSession, retired: @escaping (_ conversation: Int32, Event, _ now: Timestamp) -> Void) {
        session.retirementObservers.append { [unowned self, unowned session] conversation, now in
            let index = Int(conversation)
            grow(to: session.table.slotCount)
            if emitted[index] & Self.closedBit == 0 {
                // Ended by its socket's close, or by FIN/RST (a file has no close events); else gone silent.
                let record = session.table[index]
                let ended = record.isClosed || !record.tcpFlagsSeen.isDisjoint(with: [.fin, .rst])
                retired(conversation, ended ? .closed : .expired, now)
            }
            emitted[index] = 0
        }
    }

    /// Calls `body` for each conversation due now: changed, closed, or (`final`) every one not closed yet.
    /// Conversations whose owner is still being looked up wait for the answer, except at the end.
    public func due(_ session: CaptureSession, final: Bool, _ body: (_ conversation: Int32, Event) -> Void) {
        let table = session.table
        grow(to: table.slotCount)
        for index in table.slots where emitted[index] & Self.closedBit == 0 && !table[index].isRetired {
            let conversation = table[index]
            let packets = conversation.tx.packets &+ conversation.rx.packets
            let event: Event
            if conversation.isClosed {
                event = .closed
            } else if final {
                event = .final
            } else if packets != emitted[index] && !conversation.isPending {
                event = .update
            } else {
                continue
            }
            emitted[index] = packets | (event == .update ? 0 : Self.closedBit)
            body(Int32(index), event)
        }
    }

    /// One entry per table slot: grown as the table grows, cut when the table dropped its free end (slots
    /// past it were retired, their entries reset).
    private func grow(to count: Int) {
        if emitted.count < count { emitted.append(contentsOf: repeatElement(0, count: count - emitted.count)) }
        if emitted.count > count * 2 + 1024 { emitted = Array(emitted[..<count]) }
    }
}
