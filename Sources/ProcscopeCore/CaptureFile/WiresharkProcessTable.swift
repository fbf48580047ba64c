/// The processes a pcapng section describes in Wireshark's process information blocks
/// (`WiresharkProcessBlock`), found by the process id a packet carries (`epb_processid_threadid`), as
/// Wireshark finds them: a process id can be reused within a capture, so among the blocks for that id the
/// one that had started by the packet's time and started last is the packet's; when none had started yet,
/// the earliest; blocks without a start time, the last one seen.
///
/// A class, so the reader (a struct, mutated while it hands frames over) and the file source share one
/// table, like `AppleProcessTable`.
public final class WiresharkProcessTable {
    public struct Process: Equatable, Sendable {
        public var pid: Int32
        public var name: String
        /// From the block's start time option, nanoseconds since the Epoch; nil when it has none.
        public var startNanoseconds: UInt64?
    }

    private var byPID: [Int32: [Process]] = [:]

    public init() {}

    func append(_ process: Process) { byPID[process.pid, default: []].append(process) }

    /// A new section describes its processes again.
    func reset() { byPID.removeAll(keepingCapacity: true) }

    /// The process `pid` named for a packet captured at `time`; nil when no block describes that id.
    public func process(pid: Int32, at time: Timestamp) -> Process? {
        guard let blocks = byPID[pid], let last = blocks.last else { return nil }
        let started = blocks.filter { $0.startNanoseconds != nil }
        guard !started.isEmpty else { return last }
        let (product, overflow) = time.microseconds.multipliedReportingOverflow(by: 1000)
        let packetNanoseconds = overflow ? (time.microseconds < 0 ? Int64.min : Int64.max) : product
        let before = started.filter { Int64(clamping: $0.startNanoseconds ?? 0) <= packetNanoseconds }
        return before.max { ($0.startNanoseconds ?? 0) < ($1.startNanoseconds ?? 0) }
            ?? started.min { ($0.startNanoseconds ?? 0) < ($1.startNanoseconds ?? 0) }
    }

    /// How audit lists a packet's owner from the file: `pid/name` (the name defused, it comes from the file),
    /// or the bare pid when no block names it; nil for a packet without a process id.
    public func label(pid: Int32, at time: Timestamp) -> String? {
        guard pid > 0 else { return nil }
        guard let process = process(pid: pid, at: time), !process.name.isEmpty else { return String(pid) }
        return ConversationOwner.label(pid: pid, name: process.name)
    }
}
