/// One entry of the tables procscope writes into its pcapng files (custom options, `ProcscopeBlock`), so that
/// `capture -r` on the file rebuilds the live run's conversations: a process, a conversation with its
/// attribution, or the capture's own facts. A later record with the same id replaces an earlier one (an
/// attribution that changed after the first packet was written).
public enum AnnotationRecord: Equatable, Sendable {
    /// An owner, under the id the conversation records refer to.
    case process(id: UInt32, ProcessIdentity)
    /// A conversation, under the id the packets' annotations refer to.
    case conversation(id: UInt32, ConversationRecord)
    /// Interfaces, filter, start and end, drops: what the packets themselves cannot say.
    case capture(CaptureReport.CaptureInfo)

    /// An option value holds at most 65535 bytes: a longer command line is cut to this many bytes of
    /// arguments (whole arguments; the live report keeps them all).
    static let commandLineBudget = 32_768

    public var encoded: [UInt8] {
        var w = RecordWriter()
        switch self {
        case .process(let id, let identity):
            var budget = Self.commandLineBudget
            let commandLine = identity.commandLine.prefix { argument in
                budget -= argument.utf8.count + 4
                return budget >= 0
            }
            w.u8(ProcscopeBlock.Tag.processRecord.rawValue)
            w.u32(id)
            w.u32(UInt32(bitPattern: identity.pid))
            w.i64(identity.startTime.microseconds)
            w.string(identity.name)
            w.optionalString(identity.executable)
            w.strings(Array(commandLine))
            w.u32(identity.uid)
            w.optionalString(identity.userName)
            w.u64(identity.networkNamespace)
            w.optionalString(identity.cgroup)
            // Added after the first files (a reader of those finds the record ending here).
            w.u32(UInt32(bitPattern: identity.parentPID))
            w.optionalString(identity.parentName)
            w.optionalString(identity.containerNames.container)
            w.optionalString(identity.containerNames.pod)
            w.optionalString(identity.containerNames.namespace)
        case .conversation(let id, let record):
            w.u8(ProcscopeBlock.Tag.conversationRecord.rawValue)
            w.u32(id)
            w.u8(record.key.proto.rawValue)
            w.u8(record.key.hasPorts ? 1 : 0)
            w.u16(record.key.namespace)
            w.endpoint(record.key.local)
            w.endpoint(record.key.remote)
            w.u32(record.owner ?? .max)
            w.optionalString(record.method?.rawValue)
            w.optionalString(record.reason?.rawValue)
            w.optionalString(record.detail)
            w.u32(record.inode)
            w.u32(record.latencyMicros)
        case .capture(let info):
            w.u8(ProcscopeBlock.Tag.captureRecord.rawValue)
            w.strings(info.interfaces)
            w.optionalString(info.filter)
            w.i64(info.started.microseconds)
            w.i64(info.ended.microseconds)
            w.u64(info.droppedByKernel)
            w.u64(info.droppedByInterface)
            w.u64(info.duplicates)
            // Added after the first files: a reader of those finds the record ending here.
            w.strings(info.warnings.map(\.encoded))
        }
        return w.bytes
    }

    /// The record in `bytes`, nil when it is damaged or of a kind this reader does not know.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        var r = RecordReader(bytes)
        guard let tag = r.u8().flatMap(ProcscopeBlock.Tag.init(rawValue:)) else { return nil }
        switch tag {
        case .packetSides, .packetUnkeyed:
            return nil
        case .processRecord:
            guard let id = r.u32(), let pid = r.u32(), let start = r.i64(), let name = r.string(),
                  let executable = r.optionalString(), let commandLine = r.strings(), let uid = r.u32(),
                  let userName = r.optionalString(), let netns = r.u64(), let container = r.optionalString()
            else { return nil }
            var identity = ProcessIdentity(
                pid: Int32(bitPattern: pid), startTime: Timestamp(microseconds: start), name: name,
                executable: executable, commandLine: commandLine, uid: uid, userName: userName,
                networkNamespace: netns, cgroup: container)
            if !r.isAtEnd {
                guard let parentPID = r.u32(), let parentName = r.optionalString(), let containerName = r.optionalString(),
                      let pod = r.optionalString(), let namespace = r.optionalString() else { return nil }
                identity.parentPID = Int32(bitPattern: parentPID)
                identity.parentName = parentName
                identity.containerNames = ContainerNames(container: containerName, pod: pod, namespace: namespace)
            }
            self = .process(id: id, identity)
        case .conversationRecord:
            guard let id = r.u32(), let proto = r.u8(), let hasPorts = r.u8(), let namespace = r.u16(),
                  let local = r.endpoint(), let remote = r.endpoint(), let owner = r.u32(),
                  let method = r.optionalString(), let reason = r.optionalString(), let detail = r.optionalString(),
                  let inode = r.u32(), let latency = r.u32()
            else { return nil }
            let key = FlowKey(proto: IPProtocol(rawValue: proto), local: local, remote: remote,
                              hasPorts: hasPorts != 0, namespace: namespace)
            self = .conversation(id: id, ConversationRecord(
                key: key, owner: owner == .max ? nil : owner, method: method.map(AttributionMethod.init(rawValue:)),
                reason: reason.map(UnknownReason.init(rawValue:)), detail: detail, inode: inode,
                latencyMicros: latency))
        case .captureRecord:
            guard let interfaces = r.strings(), let filter = r.optionalString(), let started = r.i64(),
                  let ended = r.i64(), let kernel = r.u64(), let interface = r.u64(), let duplicates = r.u64()
            else { return nil }
            var info = CaptureReport.CaptureInfo(interfaces: interfaces, filter: filter,
                                                 started: Timestamp(microseconds: started),
                                                 ended: Timestamp(microseconds: ended),
                                                 droppedByKernel: kernel, droppedByInterface: interface)
            info.duplicates = duplicates
            if !r.isAtEnd { // files written before warnings were recorded end here
                guard let warnings = r.strings() else { return nil }
                info.warnings = warnings.map(CaptureWarning.init(encoded:))
            }
            self = .capture(info)
        }
    }
}
