import ProcscopeCore

/// Owners of flows whose socket left the kernel's tables before the lookup (a refused connect, a pinger that
/// exited), from the kernel's record of the packet that opened the flow (`FirstSendRecorder`).
extension OwnershipResolver {
    /// The process whose socket sent the flow's first packet, when the first-send recorder saw it leave: the
    /// socket's creator when it was also the task sending (method `recorded-send`), else the process the
    /// release recorder trusts. Nil when there is no record, or the record cannot be this flow's (sent after
    /// its first frame, or a socket released before it).
    func recordedSender(_ request: AttributionRequest) -> Attribution? {
        guard request.firstFrameOutgoing, let firstSends, let records, Self.opensFlow(request) else { return nil }
        let key = request.key
        guard let sent = firstSends.firstSend(of: key, namespaceCookie: tables.namespaceCookie(key.namespace)),
              sent.sentAt.microseconds(since: request.firstSeen) <= 500_000 else { return nil }
        let released = records.lastHolder(cookie: sent.cookie)
        // A socket released before the flow's first frame cannot have sent it: an earlier socket on the tuple.
        if let released, released.releasedAt.microseconds(since: request.firstSeen) < -5_000 { return nil }
        // The release record carries the creator; a socket still open is asked for its creation record.
        if let creator = released.map({ $0.creator }) ?? records.creator(cookie: sent.cookie), sent.sender == creator {
            let known = processes.identity(of: creator)
            // The exec snapshot or the live process; a PID reused since would carry another name than the
            // one the kernel recorded at release.
            if let identity = known, released.map({ $0.pid != creator || identity.name.hasPrefix($0.name) }) ?? true {
                return .process(identity, .recordedSend,
                                SocketEvidence(inode: 0, cookie: sent.cookie, uid: released?.uid ?? identity.uid))
            }
        }
        return releasedOwner(request, cookie: sent.cookie)
    }

    /// Whether the flow's first frame is one the recorder records: a TCP SYN without ACK, an echo request.
    static func opensFlow(_ request: AttributionRequest) -> Bool {
        switch request.key.proto {
        case .tcp:
            return request.firstTCPFlags.contains(.syn) && !request.firstTCPFlags.contains(.ack)
        case .icmp:
            return request.key.hasPorts && request.firstICMPType == 8
        case .icmpv6:
            return request.key.hasPorts && request.firstICMPType == 128
        default:
            return false
        }
    }
}
