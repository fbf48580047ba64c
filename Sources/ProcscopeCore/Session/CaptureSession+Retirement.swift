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
        for index in conversations.indices where !conversations[index].isRetired && !conversations[index].isPending {
            let conversation = conversations[index]
            let idle = now.microseconds(since: conversation.lastSeen)
            let ended = conversation.isClosed ? idle > rules.closedIdleMicros
                : !conversation.tcpFlagsSeen.isDisjoint(with: [.fin, .rst]) ? idle > rules.finishedIdleMicros
                : idle > rules.idleMicros
            if ended { retire(Int32(index), now: now) }
        }
    }

    /// Folds one conversation into the totals, tells the observers, and frees its slot.
    func retire(_ conversation: Int32, now: Timestamp) {
        let i = Int(conversation)
        for observer in retirementObservers { observer(conversation, now) }
        let record = conversations[i]
        folded.add(record, reason: record.owner == Conversation.unknown ? reasons[Int(record.methodOrReason)] : nil)
        if !record.isClosed { index.remove(record.key, in: conversations) }
        if recentlyClosed[record.key]?.conversation == conversation { recentlyClosed.removeValue(forKey: record.key) }
        if record.cookie != 0, var known = byCookie[record.cookie] {
            known.removeAll { $0 == conversation }
            byCookie[record.cookie] = known.isEmpty ? nil : known
        }
        conversations[i].isRetired = true
        conversations[i].isClosed = true
        free.append(conversation)
    }

    /// A new conversation's slot: a retired one's when there is one, else a new one at the end.
    func store(_ conversation: Conversation) -> Int32 {
        if let reused = free.popLast() {
            conversations[Int(reused)] = conversation
            return reused
        }
        conversations.append(conversation)
        return Int32(conversations.count - 1)
    }

    /// Has ended and idle conversations folded away from now on (a run that writes no JSON document). Not
    /// for a re-read annotated file: its conversations are named by the file's ids (callers check).
    public func retiresEndedConversations() {
        configuration.retirement = SessionConfiguration.Retirement()
    }

    /// Conversations live now (not retired).
    public var liveConversationCount: Int { conversations.count - free.count }
}
