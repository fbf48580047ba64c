/// Builds the plain-value report from the session's tables (at the end, or as a snapshot for live views).
extension CaptureSession {
    /// How a report lists conversations: as values (a snapshot, for a session that goes on), or as slots made
    /// into values when read (`ConversationList`: for the final report of a session that takes no more
    /// frames; a fraction of the memory).
    public enum Listing: Sendable { case values, slots }

    public func report(_ info: CaptureReport.CaptureInfo, listing: Listing = .values) -> CaptureReport {
        var info = info
        info.packets = counters.packets
        info.bytes = counters.bytes
        info.undecodable = counters.undecodable
        info.duplicates = counters.duplicates
        for warning in warnings where !info.warnings.contains(where: { $0.kind == warning.kind }) {
            info.warnings.append(warning)
        }
        var processes = [Int32: CaptureReport.ProcessEntry]()
        var unknown = CaptureReport.UnknownEntry()
        var slotsByOwner = [Int32: [Int32]](), unknownSlots: [Int32] = []
        // Totals straight from the table: a listing of slots makes each entry once, as the JSON is written.
        for index in table.slots where !table[index].isRetired {
            let conversation = table[index]
            if conversation.owner >= 0 {
                var process = processes[conversation.owner] ?? CaptureReport.ProcessEntry(identity: owners[Int(conversation.owner)])
                process.tx.add(conversation.tx)
                process.rx.add(conversation.rx)
                if listing == .values { process.conversations.append(entry(ofConversation: Int32(index)).0) }
                if listing == .slots { slotsByOwner[conversation.owner, default: []].append(Int32(index)) }
                processes[conversation.owner] = process
            } else {
                unknown.add(reason(of: conversation), tx: conversation.tx, rx: conversation.rx)
                if listing == .values {
                    unknown.conversations.append(entry(ofConversation: Int32(index)).0)
                } else {
                    unknownSlots.append(Int32(index))
                }
            }
        }
        if listing == .slots {
            let maker = ConversationList.EntryMaker { [self] slot in entry(ofConversation: slot).0 }
            for (owner, slots) in slotsByOwner { processes[owner]?.conversations = ConversationList(slots: slots, maker: maker) }
            unknown.conversations = ConversationList(slots: unknownSlots, maker: maker)
        }
        for (owner, totals) in folded.owners {
            var process = processes[owner] ?? CaptureReport.ProcessEntry(identity: owners[Int(owner)])
            process.tx.add(totals.tx)
            process.rx.add(totals.rx)
            process.foldedConversations += totals.conversations
            processes[owner] = process
        }
        for (reason, totals) in folded.reasons {
            unknown.add(reason, tx: totals.tx, rx: totals.rx)
            unknown.foldedConversations += totals.conversations
        }
        for (reason, counts) in unkeyed {
            unknown.add(reason, tx: counts.tx, rx: counts.rx)
        }
        let sorted = processes.values.sorted {
            ($0.identity.pid, $0.identity.startTime) < ($1.identity.pid, $1.identity.startTime)
        }
        return CaptureReport(capture: info, processes: sorted, unknown: unknown)
    }

    /// One conversation as exported, with its owner (nil: unknown, with the reason and detail in the entry).
    public func entry(ofConversation index: Int32) -> (CaptureReport.ConversationEntry, ProcessIdentity?) {
        let conversation = table[index]
        var entry = CaptureReport.ConversationEntry(
            key: conversation.key, firstSeen: conversation.firstSeen, lastSeen: conversation.lastSeen,
            tx: conversation.tx, rx: conversation.rx, tcpFlags: conversation.tcpFlagsSeen,
            inode: conversation.inode == 0 ? nil : conversation.inode,
            latencyMicros: conversation.latencyMicros == .max ? nil : conversation.latencyMicros)
        if remoteNames.count > 0 {
            entry.remoteName = remoteNames.name(of: conversation.key.remote.address, at: conversation.firstSeen)
            if entry.remoteName != nil, let asker = nameAsker(of: conversation.key.remote.address, at: conversation.firstSeen) {
                entry.remoteNameAskedBy = CaptureReport.NameAsker(pid: asker.pid, name: asker.name)
            }
        }
        if conversation.owner >= 0 {
            entry.method = methods[Int(conversation.methodOrReason)]
            return (entry, owners[Int(conversation.owner)])
        }
        entry.reason = reason(of: conversation)
        entry.detail = conversation.detail >= 0 ? details[Int(conversation.detail)]
            : "the socket lookup has not answered yet"
        return (entry, nil)
    }

    /// Why an unowned conversation is unknown.
    func reason(of conversation: Conversation) -> UnknownReason {
        conversation.owner == Conversation.pending ? .lookupPending : reasons[Int(conversation.methodOrReason)]
    }
}
