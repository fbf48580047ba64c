/// The annotated capture file (`-w OUT.pcapng`): every packet, in capture order, as a pcapng enhanced packet
/// block whose comment names who sent or received it (`procscope: 123/curl > 456/nginx [web]`, a container
/// in brackets, or the unknown reason) and whose flags give its direction. Beside the comment, custom options carry procscope's tables
/// (`AnnotationRecord`): a conversation's record and its owner's ride on the conversation's first packet,
/// and each packet names the conversations it was counted in; an interface statistics block at the end holds
/// the capture's facts. Reading the file back thus rebuilds the live run's conversations exactly. Each packet
/// also carries its process id where Wireshark looks for one (`epb_processid_threadid`: the sender's, else
/// the receiver's), and with `processBlocks` each process is described once per file, before its first
/// packet, in Wireshark's process information block (`WiresharkProcessBlock`). Packets wait for their
/// owner's lookup like the audit listing's lines (`PacketHold`).
public final class AnnotatedCaptureWriter {
    private var hold = PacketHold()
    /// Owner ids whose process record is in the current file.
    private var writtenProcesses = Set<UInt32>()
    /// Whether Wireshark's process information blocks are written, and the owner ids already described in the
    /// current file.
    private let processBlocks: Bool
    private var describedProcesses = Set<Int32>()
    /// The stamps' resolution; `header` must say the same.
    public let precision: TimestampPrecision
    /// Conversations whose record is in the current file, with the attribution it said (compact: one entry
    /// per conversation of a long capture).
    private var writtenConversations: [Int32: CaptureSession.AttributionStamp] = [:]
    /// The file's id of each session conversation written: a retired conversation's slot is reused by a new
    /// one, which must not take over its id (a re-read would join the two).
    private var fileIDs: [Int32: UInt32] = [:]
    private var nextFileID: UInt32 = 0
    /// Records of retired conversations whose attribution changed after their record was written, for the
    /// closing statistics block.
    private var lateRecords: [[UInt8]] = []
    /// Owner labels by owner index (>= 0), -1 for pending, -2 - reason index for unknown.
    private var labels: [Int64: [UInt8]] = [:]
    /// Buffers reused from packet to packet.
    private var block: [UInt8] = [], comment: [UInt8] = [], annotation: [UInt8] = []

    /// `precision` must be the one `header` was given.
    public init(processBlocks: Bool = false, precision: TimestampPrecision = .micro) {
        self.processBlocks = processBlocks
        self.precision = precision
    }

    /// The section header and the description of interface 0, which the packets refer to.
    public static func header(linkType: LinkType, snapLength: Int, interface: String, filter: String?,
                              precision: TimestampPrecision = .micro) -> [UInt8] {
        PcapngWriter.sectionHeader(application: ProcscopeBlock.application)
            + PcapngWriter.interface(linkType: linkType, snapLength: snapLength, name: interface, filter: filter,
                                     precision: precision)
    }

    public func append(_ record: PacketRecord) {
        hold.append(record)
    }

    /// Has the writer follow the session's retirements (`CaptureSession.retireIdle`): a retired conversation's
    /// changed attribution is kept for the end, and its slot's next conversation gets an id of its own.
    public func follow(_ session: CaptureSession) {
        session.retirementObservers.append { [unowned self, unowned session] conversation, _ in
            if let written = writtenConversations.removeValue(forKey: conversation),
               session.attributionStamp(ofConversation: conversation) != written {
                lateRecords.append(AnnotationRecord.conversation(id: fileID(of: conversation),
                                                                 session.record(ofConversation: conversation)).encoded)
            }
            fileIDs.removeValue(forKey: conversation)
        }
    }

    private func fileID(of conversation: Int32) -> UInt32 {
        if let known = fileIDs[conversation] { return known }
        let id = nextFileID
        nextFileID &+= 1
        fileIDs[conversation] = id
        return id
    }

    /// Writes every packet that can be written now (all of them with `force`), with the records of its
    /// conversations and their owners when the current file lacks them.
    public func drain(_ session: CaptureSession, now: Timestamp, force: Bool = false, to output: AnnotatedCaptureOutput) {
        hold.release(session, now: now, force: force) { record in
            guard let bytes = record.bytes else { return }
            if output.startsNewFileIfFull() {
                writtenProcesses.removeAll()
                writtenConversations.removeAll()
                describedProcesses.removeAll()
            }
            let owner = record.sides.senderFirst.lazy.map { session.table[$0.conversation].owner }.first { $0 >= 0 }
            if processBlocks, let owner, describedProcesses.insert(owner).inserted {
                output.write(WiresharkProcessBlock.encode(session.process(ofRecordID: UInt32(owner))))
            }
            var custom = Self.options([])
            for side in record.sides where writtenConversations[side.conversation] == nil {
                custom.values += records(ofConversation: side.conversation, session)
            }
            PacketAnnotation.encode(record, into: &annotation, id: fileID(of:))
            custom.values.append(annotation)
            comment.removeAll(keepingCapacity: true)
            comment += "procscope: ".utf8
            appendOwners(of: record, session, to: &comment)
            let direction: UInt32 = record.sides.count == 1 ? (record.sides.first?.direction == .transmitted ? 2 : 1) : 0
            block.removeAll(keepingCapacity: true)
            PcapngWriter.appendPacket(to: &block, interface: 0,
                                      ticks: precision.ticks(record.time, subMicroseconds: record.subMicroseconds),
                                      bytes: bytes,
                                      wireLength: record.wireLength, direction: direction, comment: comment,
                                      process: owner.map { UInt32(bitPattern: session.pid(ofRecordID: UInt32($0))) } ?? 0,
                                      custom: custom)
            output.write(block)
        }
        output.flush()
    }

    /// The comment's owners (`ConversationOwner.label`, `sender > receiver`), each label made once per owner
    /// or reason and then reused: building it per packet would cost more than the rest of the block.
    private func appendOwners(of record: PacketRecord, _ session: CaptureSession, to out: inout [UInt8]) {
        guard record.sides.count > 0 else {
            out += record.ownersLabel([]).utf8
            return
        }
        for (position, side) in record.sides.senderFirst.enumerated() {
            if position > 0 { out += " > ".utf8 }
            let conversation = session.table[side.conversation]
            let cacheKey = conversation.owner >= 0 ? Int64(conversation.owner)
                : conversation.owner == Conversation.unknown ? -2 - Int64(conversation.methodOrReason) : -1
            if let label = labels[cacheKey] {
                out += label
            } else {
                let label = Array(session.owner(ofConversation: side.conversation).labelWithContainer.utf8)
                labels[cacheKey] = label
                out += label
            }
        }
    }

    /// At the end: the packets left, then an interface statistics block with the capture's facts and the
    /// conversations whose attribution changed after their record was written (a packet released before its
    /// lookup answered).
    public func finish(_ session: CaptureSession, capture: CaptureReport.CaptureInfo, now: Timestamp,
                       to output: AnnotatedCaptureOutput) {
        drain(session, now: now, force: true, to: output)
        var values: [[UInt8]] = []
        for (conversation, written) in writtenConversations.sorted(by: { $0.key < $1.key })
        where session.attributionStamp(ofConversation: conversation) != written {
            values += records(ofConversation: conversation, session)
        }
        values += lateRecords
        lateRecords.removeAll()
        values.append(AnnotationRecord.capture(capture).encoded)
        output.write(PcapngWriter.interfaceStatistics(
            interface: 0, time: now, started: capture.started, ended: capture.ended,
            interfaceDrops: capture.droppedByInterface, kernelDrops: capture.droppedByKernel,
            precision: precision, custom: Self.options(values)))
        output.flush()
    }

    /// The conversation's record, after its owner's when the current file does not have that yet.
    private func records(ofConversation conversation: Int32, _ session: CaptureSession) -> [[UInt8]] {
        let record = session.record(ofConversation: conversation)
        var values: [[UInt8]] = []
        if let owner = record.owner, writtenProcesses.insert(owner).inserted {
            values.append(AnnotationRecord.process(id: owner, session.process(ofRecordID: owner)).encoded)
        }
        values.append(AnnotationRecord.conversation(id: fileID(of: conversation), record).encoded)
        writtenConversations[conversation] = session.attributionStamp(ofConversation: conversation)
        return values
    }

    static func options(_ values: [[UInt8]]) -> PcapngWriter.CustomOptions {
        PcapngWriter.CustomOptions(code: ProcscopeBlock.optionCode, enterprise: ProcscopeBlock.enterpriseNumber,
                                   values: values)
    }
}
