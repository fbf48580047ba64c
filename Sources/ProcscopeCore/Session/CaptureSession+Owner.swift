/// Who a conversation belongs to, as far as the session knows now (for listings that run while capturing).
public enum ConversationOwner: Sendable {
    case pending
    case process(ProcessIdentity)
    case unknown(UnknownReason)
}

extension CaptureSession {
    public func owner(ofConversation index: Int32) -> ConversationOwner {
        let conversation = conversations[Int(index)]
        if conversation.owner >= 0 { return .process(owners[Int(conversation.owner)]) }
        if conversation.owner == Conversation.pending { return .pending }
        return .unknown(reasons[Int(conversation.methodOrReason)])
    }
}
