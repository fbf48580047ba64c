/// The `procscope top` screen as lines of text, from two reports a known time apart (rates are the
/// difference): one row per process, `<kernel>` and `<Unknown>` rows that expand into their reasons, a
/// process that expands into its conversations. Pure: the terminal layer only draws the lines.
public struct TopView: Sendable {
    public struct Line: Sendable, Equatable {
        public var text: String
        public var highlighted: Bool
        /// The row id (for Enter) when this line is a selectable row.
        public var rowID: String?
    }

    public struct Header: Sendable {
        public var interface: String
        public var filter: String?
        public var packets: UInt64
        public var drops: UInt64

        public init(interface: String, filter: String?, packets: UInt64, drops: UInt64) {
            self.interface = interface
            self.filter = filter
            self.packets = packets
            self.drops = drops
        }
    }

    struct Row {
        var id: String
        var pid: String
        var user: String
        var program: String
        /// The container (its name, else runtime and short id) or the systemd unit: what people call the
        /// workload a process belongs to; `-` for none.
        var workload: String
        var txRate: Double
        var rxRate: Double
        var total: UInt64
        var conversations: Int
        var children: [String]
    }

    public private(set) var lines: [Line] = []
    /// Ids of the selectable rows, in screen order.
    public private(set) var rowIDs: [String] = []

    /// Builds the screen. `seconds` is the time between `previous` and `current` (rates are per second).
    public init(current: CaptureReport, previous: CaptureReport?, seconds: Double, header: Header,
                state: TopState, width: Int, height: Int) {
        var previousTotals: [String: (UInt64, UInt64)] = [:]
        for process in previous?.processes ?? [] {
            previousTotals[Self.id(process.identity)] = (process.tx.bytes, process.rx.bytes)
        }
        for (reason, counter) in previous?.unknown.reasons ?? [:] { previousTotals["reason:\(reason.rawValue)"] = (counter.bytes, 0) }
        let interval = max(seconds, 0.001)
        func rate(_ now: UInt64, _ before: UInt64?) -> Double { Double(now &- (before ?? 0)) / interval }

        var rows: [Row] = current.processes.map { process in
            let id = Self.id(process.identity)
            let before = previousTotals[id]
            return Row(id: id, pid: String(process.identity.pid), user: process.identity.userName ?? String(process.identity.uid),
                       program: TerminalSafe.text(process.identity.name),
                       workload: Self.workload(process.identity),
                       txRate: rate(process.tx.bytes, before?.0), rxRate: rate(process.rx.bytes, before?.1),
                       total: process.tx.bytes + process.rx.bytes, conversations: process.conversationCount,
                       children: process.conversations.map(Self.describe))
        }
        // <kernel> and <Unknown>: unknown traffic split by whether the kernel sent it.
        for kernel in [true, false] {
            let reasons = current.unknown.reasons.filter { ($0.key == .kernelGenerated) == kernel }
            guard !reasons.isEmpty else { continue }
            let total = reasons.values.reduce(0) { $0 + $1.bytes }
            let totalRate = reasons.reduce(0.0) { $0 + rate($1.value.bytes, previousTotals["reason:\($1.key.rawValue)"]?.0) }
            let conversations = current.unknown.conversations.filter { ($0.reason == .kernelGenerated) == kernel }.count
            rows.append(Row(id: kernel ? "<kernel>" : "<Unknown>", pid: "-", user: "-", program: kernel ? "<kernel>" : "<Unknown>",
                            workload: "-", txRate: totalRate, rxRate: 0, total: total, conversations: conversations,
                            children: reasons.sorted { $0.value.bytes > $1.value.bytes }.map {
                                "\($0.key.rawValue)  \($0.value.packets) pkts  \(ByteCountFormat.string($0.value.bytes))"
                            }))
        }
        if !state.nameFilter.isEmpty {
            rows = rows.filter { $0.program.lowercased().contains(state.nameFilter.lowercased()) }
        }
        switch state.sort {
        case .rate: rows.sort { ($0.txRate + $0.rxRate, $0.total) > ($1.txRate + $1.rxRate, $1.total) }
        case .total: rows.sort { $0.total > $1.total }
        case .pid: rows.sort { (Int($0.pid) ?? .max) < (Int($1.pid) ?? .max) }
        case .name: rows.sort { $0.program < $1.program }
        }

        let unknownBytes = current.unknown.tx.bytes + current.unknown.rx.bytes
        let allBytes = unknownBytes + current.processes.reduce(0) { $0 + $1.tx.bytes + $1.rx.bytes }
        let share = allBytes == 0 ? 0 : Double(unknownBytes) * 100 / Double(allBytes)
        let filter = header.filter.map { " filter '\(TerminalSafe.text($0))'" } ?? ""
        let status = state.paused ? "  [paused]" : ""
        let prompt = state.editingFilter.map { "  /\(TerminalSafe.text($0))_" }
            ?? (state.nameFilter.isEmpty ? "" : "  name~'\(TerminalSafe.text(state.nameFilter))'")
        var out: [Line] = [
            Line(text: Self.fit("procscope top  \(TerminalSafe.text(header.interface))\(filter)  packets \(header.packets)  drops \(header.drops)  unknown \(ByteCountFormat.oneDecimal(share))%\(status)\(prompt)", width), highlighted: false),
            Line(text: Self.fit("sort: \(state.sort.rawValue) (s)  units: \(state.units.rawValue)/s (u)  p pause  / filter  Enter expand  q quit", width), highlighted: false),
            Line(text: Self.fit(Self.columns(["PID", "USER", "PROGRAM", "SENT", "RECEIVED", "TOTAL", "CONVS"]
                                             + (width >= Self.workloadWidth ? ["CONTAINER/UNIT"] : [])), width), highlighted: true),
        ]
        var ids: [String] = []
        for row in rows {
            ids.append(row.id)
            let text = Self.columns([row.pid, TerminalSafe.text(row.user), row.program,
                                     Self.rate(row.txRate, state.units), Self.rate(row.rxRate, state.units),
                                     ByteCountFormat.string(row.total), String(row.conversations)]
                                    + (width >= Self.workloadWidth ? [row.workload] : []))
            out.append(Line(text: Self.fit(text, width), highlighted: ids.count - 1 == state.selected, rowID: row.id))
            if state.expanded.contains(row.id) {
                for child in row.children { out.append(Line(text: Self.fit("    " + child, width), highlighted: false)) }
            }
        }
        lines = Array(out.prefix(max(0, height)))
        rowIDs = ids
    }

    static func id(_ identity: ProcessIdentity) -> String { "\(identity.pid)@\(identity.startTime.microseconds)" }

    /// The screen width from which the container/unit column is shown (80 columns keep the seven others).
    static let workloadWidth = 96

    static func workload(_ identity: ProcessIdentity) -> String {
        let workload = identity.workload
        if let container = workload.container {
            return identity.containerNames.container.map(TerminalSafe.text) ?? "\(container.runtime):\(container.id.prefix(12))"
        }
        return workload.unit.map(TerminalSafe.text) ?? "-"
    }

    static func describe(_ conversation: CaptureReport.ConversationEntry) -> String {
        let key = conversation.key
        let total = conversation.tx.bytes + conversation.rx.bytes
        let name = conversation.remoteName.map { " (" + TerminalSafe.text($0) + ")" } ?? ""
        return "\(key.proto) \(key.local) -> \(key.remote)\(name)  \(ByteCountFormat.string(total))"
            + (conversation.method.map { "  (\($0.rawValue))" } ?? "")
    }

    static func rate(_ bytesPerSecond: Double, _ units: TopState.Units) -> String {
        switch units {
        case .bytes: return ByteCountFormat.string(UInt64(bytesPerSecond.rounded())) + "/s"
        case .bits:
            let bits = bytesPerSecond * 8
            if bits >= 1_000_000 { return ByteCountFormat.oneDecimal(bits / 1_000_000) + " Mbit/s" }
            if bits >= 1_000 { return ByteCountFormat.oneDecimal(bits / 1_000) + " kbit/s" }
            return "\(Int(bits.rounded())) bit/s"
        }
    }

    static func columns(_ cells: [String]) -> String {
        let widths = [8, 10, 16, 13, 13, 11, 7, 32]
        return zip(cells, widths).map { cell, width in
            cell.count >= width ? String(cell.prefix(width - 1)) + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined()
    }

    static func fit(_ text: String, _ width: Int) -> String { String(text.prefix(max(0, width))) }
}
