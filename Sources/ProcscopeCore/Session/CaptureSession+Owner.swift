/// Who a conversation belongs to, as far as the session knows now (for listings that run while capturing).
public enum ConversationOwner: Sendable {
    case pending
    case process(ProcessIdentity)
    case unknown(UnknownReason)
}

extension ConversationOwner {
    /// How listings and packet comments name an owner: `pid/comm` (terminal-safe) or `<Unknown: reason>`.
    public var label: String {
        switch self {
        case .process(let identity): return Self.label(pid: identity.pid, name: identity.name)
        case .unknown(let reason): return "<Unknown: \(reason.rawValue)>"
        case .pending: return "<Unknown: \(UnknownReason.lookupPending.rawValue)>"
        }
    }

    /// A process as every listing names it, `pid/name`, the name defused (a process chooses it; a file
    /// another tool wrote carries it).
    public static func label(pid: Int32, name: String) -> String { "\(pid)/\(TerminalSafe.text(name))" }

    /// `label`, with a process's container after it in brackets (its name, else runtime:id, as top shows
    /// it): what a packet comment in a `-w` file says, so that Wireshark's comment column names the container.
    public var labelWithContainer: String {
        guard case .process(let identity) = self, identity.workload.container != nil else { return label }
        return label + " [" + TopView.workload(identity) + "]"
    }
}

extension PacketRecord {
    /// The owners of a packet in one label, sending side first (`sender > receiver` on loopback), or why it
    /// has no conversation.
    public func ownersLabel(_ owners: [(Side, ConversationOwner)]) -> String {
        owners.isEmpty ? "<Unknown: \(unkeyed?.rawValue ?? "unkeyed")>" : owners.map(\.1.label).joined(separator: " > ")
    }
}

extension CaptureSession {
    /// Why an unknown conversation could not be tied to a process, in words (nil when there is no detail).
    public func detail(ofConversation index: Int32) -> String? {
        let detail = table[index].detail
        return detail >= 0 ? details[Int(detail)] : nil
    }

    public func owner(ofConversation index: Int32) -> ConversationOwner {
        let conversation = table[index]
        if conversation.owner >= 0 { return .process(owners[Int(conversation.owner)]) }
        if conversation.owner == Conversation.pending { return .pending }
        return .unknown(reasons[Int(conversation.methodOrReason)])
    }
}
