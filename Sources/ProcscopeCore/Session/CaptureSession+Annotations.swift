/// What an annotated capture file records of the session: conversations with their attribution, and their
/// owners, under ids (conversation and owner-table indices) that stay the same for the whole run.
extension CaptureSession {
    /// The record of conversation `index` as it stands now.
    public func record(ofConversation index: Int32) -> ConversationRecord {
        let conversation = table[index]
        var record = ConversationRecord(key: conversation.key, owner: nil, method: nil, reason: nil, detail: nil,
                                        inode: conversation.inode, latencyMicros: conversation.latencyMicros)
        if conversation.owner >= 0 {
            record.owner = UInt32(conversation.owner)
            record.method = methods[Int(conversation.methodOrReason)]
        } else if conversation.owner == Conversation.unknown {
            record.reason = reasons[Int(conversation.methodOrReason)]
            record.detail = conversation.detail >= 0 ? details[Int(conversation.detail)] : nil
        }
        return record
    }

    /// A conversation's attribution in 10 bytes: what a writer remembers to notice a later change.
    public struct AttributionStamp: Equatable, Sendable {
        var owner: Int32
        var methodOrReason: UInt16
        var detail: Int32
    }

    public func attributionStamp(ofConversation index: Int32) -> AttributionStamp {
        let conversation = table[index]
        return AttributionStamp(owner: conversation.owner, methodOrReason: conversation.methodOrReason,
                                detail: conversation.detail)
    }

    /// The owner a conversation record's `owner` id names.
    public func process(ofRecordID id: UInt32) -> ProcessIdentity {
        owners[Int(id)]
    }

    /// The PID alone, without copying the identity (once per packet of an annotated capture).
    public func pid(ofRecordID id: UInt32) -> Int32 {
        owners[Int(id)].pid
    }
}
