/// The per-process summary `procscope capture` prints at the end: one row per process by bytes, then
/// `<Unknown>` with a row per reason, then a tcpdump-like tally.
public struct SummaryTable {
    public let report: CaptureReport
    /// `-v`: after the table, a line per process with its user, executable, parent, container and unit.
    public let verbose: Bool

    public init(_ report: CaptureReport, verbose: Bool = false) {
        self.report = report
        self.verbose = verbose
    }

    public var text: String {
        let header = ["PID", "USER", "PROGRAM", "TX PKTS", "TX BYTES", "RX PKTS", "RX BYTES", "CONVS"]
        var rows: [[String]] = []
        let byVolume = report.processes.sorted {
            ($0.tx.bytes + $0.rx.bytes, $1.identity.pid) > ($1.tx.bytes + $1.rx.bytes, $0.identity.pid)
        }
        for process in byVolume {
            let identity = process.identity
            rows.append([String(identity.pid), TerminalSafe.text(identity.userName ?? String(identity.uid)),
                         TerminalSafe.text(identity.name),
                         String(process.tx.packets), ByteCountFormat.string(process.tx.bytes),
                         String(process.rx.packets), ByteCountFormat.string(process.rx.bytes),
                         String(process.conversationCount)])
        }
        let unknown = report.unknown
        if unknown.tx.packets + unknown.rx.packets > 0 {
            rows.append(["-", "-", "<Unknown>", String(unknown.tx.packets), ByteCountFormat.string(unknown.tx.bytes),
                         String(unknown.rx.packets), ByteCountFormat.string(unknown.rx.bytes),
                         String(unknown.conversationCount)])
        }
        var lines = [Self.layout([header] + rows)]
        if verbose && !byVolume.isEmpty {
            lines.append("")
            lines.append("Processes:")
            for process in byVolume { lines.append("  " + OwnerDetails.describe(process.identity)) }
        }
        if !unknown.reasons.isEmpty {
            lines.append("")
            lines.append("<Unknown> by reason:")
            var firstDetail: [UnknownReason: String] = [:]
            for conversation in unknown.conversations {
                if let reason = conversation.reason, firstDetail[reason] == nil { firstDetail[reason] = conversation.detail }
            }
            let reasonRows = unknown.reasons.sorted { ($0.value.bytes, $1.key) > ($1.value.bytes, $0.key) }.map {
                ["  " + $0.key.rawValue, "\($0.value.packets) pkts", ByteCountFormat.string($0.value.bytes),
                 TerminalSafe.text(firstDetail[$0.key] ?? "")]
            }
            lines.append(Self.layout(reasonRows, rightAligned: [1, 2]))
        }
        let capture = report.capture
        let attributedBytes = report.processes.reduce(UInt64(0)) { $0 + $1.tx.bytes + $1.rx.bytes }
        let allBytes = attributedBytes + unknown.tx.bytes + unknown.rx.bytes
        let share = allBytes == 0 ? 100.0 : Double(attributedBytes) * 100 / Double(allBytes)
        lines.append("")
        lines.append("\(capture.packets) packets captured (\(ByteCountFormat.string(capture.bytes))), "
            + "\(capture.droppedByKernel) dropped by kernel, \(capture.droppedByInterface) dropped by interface, "
            + "\(capture.undecodable) undecodable; \(Self.percent(share)) of conversation bytes attributed")
        return lines.joined(separator: "\n") + "\n"
    }

    static func percent(_ value: Double) -> String {
        ByteCountFormat.oneDecimal(value) + "%"
    }

    /// Left-aligned text columns, numbers right-aligned (columns 3... by default), two spaces apart.
    static func layout(_ rows: [[String]], rightAligned: Set<Int>? = nil) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        let right = rightAligned ?? Set(3..<width)
        var widths = [Int](repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return right.contains(i) ? pad + cell : (i == row.count - 1 ? cell : cell + pad)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
