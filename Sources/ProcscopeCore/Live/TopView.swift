/// The `procscope top` screen as lines of text, from two reports a known time apart (rates are the
/// difference): the table the user chose (`TopState.View`: processes, or their containers or units;
/// connections; remote hosts) sorted by any of its columns, rows that open into their details, the
/// selected row's last minute as a sparkline, and the keys on `?`. Pure: the terminal layer only draws the
/// lines, in the style each one names.
public struct TopView: Sendable {
    /// How a line is drawn; the terminal maps these to colours (none with NO_COLOR) or reverse video.
    public enum Style: Sendable, Equatable {
        case normal, title, columns, selected, unknown, dim, graph
    }

    public struct Line: Sendable, Equatable {
        public var text: String
        /// Drawn in reverse video: the column titles and the selected row.
        public var highlighted: Bool
        /// The row id (for Enter) when this line is a selectable row.
        public var rowID: String?
        public var style: Style

        public init(text: String, highlighted: Bool, rowID: String? = nil, style: Style = .normal) {
            self.text = text
            self.highlighted = highlighted
            self.rowID = rowID
            self.style = style
        }
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

    public private(set) var lines: [Line] = []
    /// Ids of the selectable rows, in screen order.
    public private(set) var rowIDs: [String] = []
    /// Every row's rate (bytes per second, sent plus received) by id: what `TopHistory` records per snapshot.
    public private(set) var rates: [String: Double] = [:]

    /// Builds the screen. `seconds` is the time between `previous` and `current` (rates are per second);
    /// `history` draws the selected row's sparkline.
    public init(current: CaptureReport, previous: CaptureReport?, seconds: Double, header: Header,
                state: TopState, width: Int, height: Int, history: TopHistory = TopHistory()) {
        let interval = max(seconds, 0.001)
        var before: [String: (UInt64, UInt64)] = [:]
        if let previous {
            for row in TopRows.rows(previous, view: state.view, grouping: state.grouping) { before[row.id] = (row.tx, row.rx) }
        }
        var rows = TopRows.rows(current, view: state.view, grouping: state.grouping).map { row in
            var row = row
            let (tx, rx) = before[row.id] ?? (0, 0)
            // A total smaller than before (a row rebuilt from fewer conversations) is no negative rate.
            guard !row.pinnedLast else { return row }
            row.txRate = row.tx >= tx ? Double(row.tx - tx) / interval : 0
            row.rxRate = row.rx >= rx ? Double(row.rx - rx) / interval : 0
            return row
        }
        for row in rows { rates[row.id] = row.txRate + row.rxRate }
        if !state.nameFilter.isEmpty {
            let wanted = state.nameFilter.lowercased()
            rows = rows.filter { $0.name.lowercased().contains(wanted) || ($0.fields[.program]?.lowercased().contains(wanted) ?? false) }
        }
        let sort = state.sorts.contains(state.sort) ? state.sort : .rate
        rows.sort { a, b in
            if a.pinnedLast != b.pinnedLast { return b.pinnedLast }
            let (x, y) = (a.value(for: sort), b.value(for: sort))
            if x != y { return state.reversed ? y.before(x) : x.before(y) }
            if a.total != b.total { return a.total > b.total }
            return a.id < b.id
        }

        let columns = TopRows.columns(view: state.view, grouping: state.grouping, width: width)
        var out = [Line(text: Self.fit(Self.title(current, header: header, state: state), width), highlighted: false,
                        style: .title),
                   Line(text: Self.fit(Self.keysLine(state), width), highlighted: false, style: .title),
                   Line(text: Self.fit(Self.cells(columns.map { ($0.0 == .group ? Self.groupTitle(state.grouping) : $0.0.title, $0.1) }),
                                       width), highlighted: true, style: .columns)]
        let graphLines = height >= 8 ? 1 : 0
        if state.showsHelp {
            out += Self.help.map { Line(text: Self.fit($0, width), highlighted: false) }
        } else {
            var ids: [String] = []
            for row in rows {
                ids.append(row.id)
                let selected = ids.count - 1 == state.selected
                let text = Self.cells(columns.map { column, size in (Self.text(of: column, in: row, units: state.units), size) })
                out.append(Line(text: Self.fit(text, width), highlighted: selected, rowID: row.id,
                                style: selected ? .selected : row.style))
                if state.expanded.contains(row.id) {
                    for child in row.children { out.append(Line(text: Self.fit("    " + child, width), highlighted: false, style: .dim)) }
                }
            }
            rowIDs = ids
        }
        out = Array(out.prefix(max(0, height - graphLines)))
        if graphLines > 0, !state.showsHelp, state.selected < rowIDs.count {
            let id = rowIDs[state.selected]
            let series = history.rates(of: id)
            if series.count >= 2 {
                let label = "last \(series.count) samples, peak \(Self.rate(series.max() ?? 0, state.units)): "
                let graph = TopHistory.sparkline(series, width: max(0, width - label.count - 2))
                while out.count < height - 1 { out.append(Line(text: "", highlighted: false)) }
                out.append(Line(text: Self.fit(label + "[" + graph + "]", width), highlighted: false, style: .graph))
            }
        }
        lines = Array(out.prefix(max(0, height)))
    }

    static func title(_ report: CaptureReport, header: Header, state: TopState) -> String {
        let unknownBytes = report.unknown.tx.bytes + report.unknown.rx.bytes
        let allBytes = unknownBytes + report.processes.reduce(0) { $0 + $1.tx.bytes + $1.rx.bytes }
        let share = allBytes == 0 ? 0 : Double(unknownBytes) * 100 / Double(allBytes)
        let filter = header.filter.map { " filter '\(TerminalSafe.text($0))'" } ?? ""
        let status = state.paused ? "  [paused]" : ""
        let prompt = state.editingFilter.map { "  /\(TerminalSafe.text($0))_" }
            ?? (state.nameFilter.isEmpty ? "" : "  name~'\(TerminalSafe.text(state.nameFilter))'")
        return "procscope top  \(TerminalSafe.text(header.interface))\(filter)  packets \(header.packets)  drops \(header.drops)  "
            + "unknown \(ByteCountFormat.oneDecimal(share))%\(status)\(prompt)"
    }

    static func keysLine(_ state: TopState) -> String {
        let view = state.view == .processes && state.grouping != .process ? "by \(state.grouping.rawValue)" : state.view.rawValue
        let order = state.reversed ? " reversed" : ""
        return "view: \(view) (v)  sort: \(state.sort.rawValue)\(order) (s,r)  \(state.units.rawValue)/s (u)  g group  "
            + "? help  q quit"
    }

    /// The `?` overlay.
    static let help = [
        "",
        "  v, Tab   next view: processes, connections, remote hosts",
        "  g        processes: each, with their children folded in, by container, by unit",
        "  s        sort by the next column; r reverses the order",
        "  u        bytes or bits per second",
        "  Up/Down, j/k   select a row; its last minute is drawn at the bottom",
        "  Enter    open the row: conversations, reasons, processes",
        "  /        filter by name (Enter keeps it, Esc leaves it)",
        "  p        pause the table (capture goes on)",
        "  q        quit (any other key closes this help)",
        "",
        "  <kernel>: traffic the kernel sent itself; <Unknown>: traffic procscope could",
        "  not tie to a process, with the reason on Enter. NO_COLOR turns colour off.",
    ]

    static func groupTitle(_ grouping: TopState.Grouping) -> String { grouping == .unit ? "UNIT" : "CONTAINER" }

    static func text(of column: TopColumn, in row: TopRow, units: TopState.Units) -> String {
        switch column {
        case .sent: return row.pinnedLast ? "-" : rate(row.txRate, units)
        case .received: return row.pinnedLast ? "-" : rate(row.rxRate, units)
        case .total: return ByteCountFormat.string(row.total)
        case .conversations: return String(row.conversations)
        default: return row.fields[column] ?? ""
        }
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

    /// Cells padded (or cut) to their widths, a space kept between them.
    static func cells(_ cells: [(String, Int)]) -> String {
        cells.map { cell, width in
            cell.count >= width ? String(cell.prefix(width - 1)) + " " : cell + String(repeating: " ", count: width - cell.count)
        }.joined()
    }

    static func fit(_ text: String, _ width: Int) -> String { String(text.prefix(max(0, width))) }
}
