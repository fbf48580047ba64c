/// Memory that follows what is live. A server opening 1,000 connections a second would otherwise keep every
/// conversation it ever saw (~0.5 KB each, ~40 GB a day). Ended or long-silent conversations are folded into
/// their owner's totals (`FoldedTotals`, which reports and the live view add in), handed to the outputs that
/// want them (`retirementObservers`: the NDJSON stream's last line, the annotated file's last record), and
/// their slot is reused by the next new conversation. Runs from housekeeping, never per packet.
extension CaptureSession {
    /// Retires what `configuration.retirement` says has ended, as of `now` (capture time: the wall clock live,
    /// the last frame's time when reading a file). Pending conversations stay until answered.
    public func retireIdle(now: Timestamp) {
        guard let rules = configuration.retirement else { return }
        for slot in table.slots where !table[slot].isRetired && !table[slot].isPending {
            let conversation = table[slot]
            let idle = now.microseconds(since: conversation.lastSeen)
            let ended = conversation.isClosed ? idle > rules.closedIdleMicros
                : !conversation.tcpFlagsSeen.isDisjoint(with: [.fin, .rst]) ? idle > rules.finishedIdleMicros
                : idle > rules.idleMicros
            if ended { retire(Int32(slot), now: now) }
        }
        table.compact()
        recentlyClosed.shrinkIfSparse()
        pendingFrames.shrinkIfSparse()
        heirs.shrinkIfSparse()
        byCookie.shrinkIfSparse()
    }

    /// Folds one conversation into the totals, tells the observers, and frees its slot.
    func retire(_ conversation: Int32, now: Timestamp) {
        for observer in retirementObservers { observer(conversation, now) }
        let record = table[conversation]
        folded.add(record, reason: record.owner == Conversation.unknown ? reasons[Int(record.methodOrReason)] : nil)
        if recentlyClosed[record.key]?.conversation == conversation { recentlyClosed.removeValue(forKey: record.key) }
        if record.cookie != 0 { byCookie.remove(conversation, cookie: record.cookie) }
        details.release(record.detail)
        table.retire(conversation)
    }

    /// Has ended and idle conversations folded away from now on (a run that writes no JSON document). Not
    /// for a re-read annotated file: its conversations are named by the file's ids (callers check).
    public func retiresEndedConversations() {
        configuration.retirement = SessionConfiguration.Retirement()
    }

    /// Conversations live now (not retired).
    public var liveConversationCount: Int { table.liveCount }
}
