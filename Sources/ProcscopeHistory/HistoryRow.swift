import ProcscopeCore

/// One conversation as the history keeps it: a row of the `conversations` table (`HistorySchema`), made on
/// the capture thread from the session (plain values, handed to the writer's thread).
public struct HistoryRow: Sendable, Equatable {
    public var id: String
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    public var proto: String
    public var localAddress: String
    public var localPort: Int?
    public var remoteAddress: String
    public var remotePort: Int?
    public var tx: TrafficCounter
    public var rx: TrafficCounter
    /// The owner, when known.
    public var pid: Int?
    public var startTime: Timestamp?
    public var program: String?
    public var exe: String?
    public var cmdline: String?
    public var uid: Int?
    public var user: String?
    public var container: String?
    public var unit: String?
    /// How it was attributed, or why not (`reason`, `detail`).
    public var method: String?
    public var reason: String?
    public var detail: String?
    /// The last event written for it: `update`, `closed`, `expired` or `final`.
    public var event: String

    public init(id: String, firstSeen: Timestamp, lastSeen: Timestamp, proto: String, localAddress: String,
                localPort: Int?, remoteAddress: String, remotePort: Int?, tx: TrafficCounter, rx: TrafficCounter,
                pid: Int?, startTime: Timestamp?, program: String?, exe: String?, cmdline: String?, uid: Int?,
                user: String?, container: String?, unit: String?, method: String?, reason: String?, detail: String?,
                event: String) {
        (self.id, self.firstSeen, self.lastSeen, self.proto) = (id, firstSeen, lastSeen, proto)
        (self.localAddress, self.localPort, self.remoteAddress, self.remotePort) = (localAddress, localPort, remoteAddress, remotePort)
        (self.tx, self.rx, self.pid, self.startTime, self.program, self.exe) = (tx, rx, pid, startTime, program, exe)
        (self.cmdline, self.uid, self.user, self.container, self.unit) = (cmdline, uid, user, container, unit)
        (self.method, self.reason, self.detail, self.event) = (method, reason, detail, event)
    }

    public init(_ entry: CaptureReport.ConversationEntry, owner: ProcessIdentity?, event: String) {
        id = entry.stableID
        firstSeen = entry.firstSeen
        lastSeen = entry.lastSeen
        proto = entry.key.proto.description
        localAddress = entry.key.local.address.description
        localPort = entry.key.hasPorts ? Int(entry.key.local.port) : nil
        remoteAddress = entry.key.remote.address.description
        remotePort = entry.key.hasPorts ? Int(entry.key.remote.port) : nil
        tx = entry.tx
        rx = entry.rx
        if let owner {
            pid = Int(owner.pid)
            startTime = owner.startTime
            program = ProgramSeriesKey(owner).program
            exe = owner.executable
            cmdline = owner.commandLine.joined(separator: " ")
            uid = Int(owner.uid)
            user = owner.userName
            let workload = owner.workload
            container = workload.container.map { owner.containerNames.container ?? String($0.id.prefix(12)) }
            unit = workload.unit
        }
        method = entry.method?.rawValue
        reason = entry.reason?.rawValue
        detail = entry.detail
        self.event = event
    }
}
