/// Builds the plain-value report from the session's tables (at the end, or as a snapshot for live views).
extension CaptureSession {
    public func report(_ info: CaptureReport.CaptureInfo) -> CaptureReport {
        var info = info
        info.packets = counters.packets
        info.bytes = counters.bytes
        info.undecodable = counters.undecodable
        info.duplicates = counters.duplicates
        var processes = [Int32: CaptureReport.ProcessEntry]()
        var unknown = CaptureReport.UnknownEntry()
        for conversation in conversations {
            var entry = CaptureReport.ConversationEntry(
                key: conversation.key, firstSeen: conversation.firstSeen, lastSeen: conversation.lastSeen,
                tx: conversation.tx, rx: conversation.rx, tcpFlags: conversation.tcpFlagsSeen,
                inode: conversation.inode == 0 ? nil : conversation.inode,
                latencyMicros: conversation.latencyMicros == .max ? nil : conversation.latencyMicros)
            if conversation.owner >= 0 {
                entry.method = methods[Int(conversation.methodOrReason)]
                let owner = conversation.owner
                var process = processes[owner] ?? CaptureReport.ProcessEntry(identity: owners[Int(owner)])
                process.tx.add(conversation.tx)
                process.rx.add(conversation.rx)
                process.conversations.append(entry)
                processes[owner] = process
            } else {
                let reason = conversation.owner == Conversation.pending ? UnknownReason.lookupPending
                    : reasons[Int(conversation.methodOrReason)]
                entry.reason = reason
                entry.detail = conversation.detail >= 0 ? details[Int(conversation.detail)]
                    : "the socket lookup has not answered yet"
                unknown.tx.add(conversation.tx)
                unknown.rx.add(conversation.rx)
                var total = conversation.tx
                total.add(conversation.rx)
                unknown.reasons[reason, default: TrafficCounter()].add(total)
                unknown.conversations.append(entry)
            }
        }
        for (reason, counts) in unkeyed {
            unknown.tx.add(counts.tx)
            unknown.rx.add(counts.rx)
            var total = counts.tx
            total.add(counts.rx)
            unknown.reasons[reason, default: TrafficCounter()].add(total)
        }
        let sorted = processes.values.sorted {
            ($0.identity.pid, $0.identity.startTime) < ($1.identity.pid, $1.identity.startTime)
        }
        return CaptureReport(capture: info, processes: sorted, unknown: unknown)
    }
}
