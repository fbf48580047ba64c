/// What `-v` adds. To an audit line, in parentheses as tcpdump's `-v` adds its fields: for each owning
/// process its user, executable, parent, container and systemd unit; for an unknown side, why, in words; and
/// the remote end's name when a DNS answer the capture saw gave one. To the capture summary: a line per
/// process with the same fields. Every name is as untrusted as a process name (DNS from the wire, container
/// names from the runtime's state) and goes through `TerminalSafe`.
///
///     ... length 60 [S] 4242/curl (4242: user alice, exe /usr/bin/curl, parent 4200/bash, unit session-1.scope; remote example.test)
enum OwnerDetails {
    static func suffix(_ record: PacketRecord, _ owners: [(PacketRecord.Side, ConversationOwner)],
                       session: CaptureSession) -> String {
        var parts: [String] = []
        for (side, owner) in owners {
            switch owner {
            case .process(let identity): parts.append(describe(identity))
            case .unknown(let reason):
                let detail = session.detail(ofConversation: side.conversation).map { ": " + TerminalSafe.text($0) } ?? ""
                parts.append(reason.rawValue + detail)
            case .pending: break
            }
        }
        if case .ip(let frame) = record.decoded, let remote = remoteAddress(frame, owners),
           let name = session.remoteNames.name(of: remote, at: record.time) {
            parts.append("remote " + TerminalSafe.text(name))
        }
        return parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")"
    }

    static func describe(_ identity: ProcessIdentity) -> String {
        var fields = ["user " + (identity.userName.map(TerminalSafe.text) ?? String(identity.uid))]
        if let executable = identity.executable { fields.append("exe " + TerminalSafe.text(executable)) }
        if identity.parentPID > 0 {
            fields.append("parent \(identity.parentPID)" + (identity.parentName.map { "/" + TerminalSafe.text($0) } ?? ""))
        }
        let workload = identity.workload
        if let container = workload.container {
            let name = identity.containerNames.container.map { TerminalSafe.text($0) + " " } ?? ""
            fields.append("container \(name)[\(container.runtime) \(container.id.prefix(12))]")
        }
        if let pod = identity.containerNames.pod {
            fields.append("pod " + (identity.containerNames.namespace.map { TerminalSafe.text($0) + "/" } ?? "") + TerminalSafe.text(pod))
        }
        if let unit = workload.unit { fields.append("unit " + TerminalSafe.text(unit)) }
        return "\(identity.pid): " + fields.joined(separator: ", ")
    }

    /// The far end of a frame one local socket sent or received (none for loopback, where both ends are local).
    private static func remoteAddress(_ frame: DecodedFrame, _ owners: [(PacketRecord.Side, ConversationOwner)]) -> IPAddress? {
        guard owners.count == 1, let side = owners.first?.0 else { return nil }
        return side.direction == .transmitted ? frame.destination : frame.source
    }
}
