/// The rows of `procscope top`'s tables, built from one report: processes (or their containers or units),
/// connections, remote hosts. Each row carries its byte totals; `TopView` turns the difference from the
/// previous report's row of the same id into rates. Pure, like the view.
struct TopRow {
    /// Stable across reports: a process's pid and start, a connection's id, a remote address.
    var id: String
    /// The text of each column this row fills (rates and totals are the view's to format).
    var fields: [TopColumn: String]
    var tx: UInt64
    var rx: UInt64
    var txRate = 0.0
    var rxRate = 0.0
    /// Conversations (a count column) and what the name filter and the `name` sort look at.
    var conversations = 0
    var name: String
    /// The lines Enter opens under it.
    var children: [String]
    var style = TopView.Style.normal
    /// The collapsed closed connections: after every open one, whatever the sort, and without rates (their
    /// total grows by whole connections as they close, which is no rate of traffic).
    var pinnedLast = false

    var total: UInt64 { tx &+ rx }

    /// What `sort` orders this row by.
    func value(for sort: TopState.Sort) -> SortValue {
        switch sort {
        case .rate: return .number(txRate + rxRate)
        case .total: return .number(Double(total))
        case .sent: return .number(txRate)
        case .received: return .number(rxRate)
        case .conversations: return .number(Double(conversations))
        case .pid: return .smallestFirst(fields[.pid].flatMap { Double($0) } ?? .infinity)
        case .name: return .text(name.lowercased())
        case .user: return .text(fields[.user] ?? "~")
        case .remote: return .text(fields[.remote] ?? fields[.host] ?? "~")
        }
    }

    enum SortValue: Equatable {
        case number(Double)
        /// A number read in order (a PID): smallest first.
        case smallestFirst(Double)
        case text(String)

        /// Amounts largest first, PIDs and text in order: what each column is read for.
        func before(_ other: SortValue) -> Bool {
            switch (self, other) {
            case (.number(let a), .number(let b)): return a > b
            case (.smallestFirst(let a), .smallestFirst(let b)): return a < b
            case (.text(let a), .text(let b)): return a < b
            default: return false
            }
        }
    }
}

/// The columns the tables are made of, with their titles.
enum TopColumn: Hashable {
    case pid, user, program, sent, received, total, conversations, workload
    case group, processes
    case proto, local, remote
    case host, hostName, talkers

    var title: String {
        switch self {
        case .pid: return "PID"
        case .user: return "USER"
        case .program: return "PROGRAM"
        case .sent: return "SENT"
        case .received: return "RECEIVED"
        case .total: return "TOTAL"
        case .conversations: return "CONVS"
        case .workload: return "CONTAINER/UNIT"
        case .group: return "NAME"
        case .processes: return "PROCS"
        case .proto: return "PROTO"
        case .local: return "LOCAL"
        case .remote: return "REMOTE"
        case .host: return "REMOTE HOST"
        case .hostName: return "NAME (DNS)"
        case .talkers: return "PROCESSES"
        }
    }
}

enum TopRows {
    /// The sort keys each table offers, in the order `s` walks them.
    static func sorts(view: TopState.View, grouping: TopState.Grouping) -> [TopState.Sort] {
        switch (view, grouping) {
        case (.processes, .process), (.processes, .parent):
            return [.rate, .total, .pid, .name, .sent, .received, .conversations, .user]
        case (.processes, _): return [.rate, .total, .name, .sent, .received, .conversations]
        case (.connections, _): return [.rate, .total, .pid, .name, .remote, .sent, .received]
        case (.remotes, _): return [.rate, .total, .remote, .name, .sent, .received, .conversations]
        }
    }

    /// The columns of a table at `width`, with their widths; the 80-column layouts fit 80x24.
    static func columns(view: TopState.View, grouping: TopState.Grouping, width: Int) -> [(TopColumn, Int)] {
        switch (view, grouping) {
        case (.processes, .process):
            return [(.pid, 8), (.user, 10), (.program, 16), (.sent, 13), (.received, 13), (.total, 11), (.conversations, 7)]
                + (width >= TopView.workloadWidth ? [(.workload, 32)] : [])
        case (.processes, .parent):
            return [(.pid, 8), (.user, 10), (.program, 16), (.processes, 6), (.sent, 13), (.received, 13), (.total, 11)]
        case (.processes, _):
            return [(.group, 28), (.processes, 6), (.sent, 13), (.received, 13), (.total, 11), (.conversations, 7)]
        case (.connections, _):
            return width >= 112
                ? [(.pid, 8), (.program, 14), (.proto, 6), (.local, 24), (.remote, 34), (.sent, 13), (.received, 13)]
                : [(.pid, 7), (.program, 12), (.proto, 6), (.remote, 29), (.sent, 12), (.received, 12)]
        case (.remotes, _):
            return [(.host, 24), (.hostName, 22), (.conversations, 7), (.sent, 13), (.received, 13)]
                + (width >= 104 ? [(.talkers, width - 79)] : [])
        }
    }

    static func rows(_ report: CaptureReport, view: TopState.View, grouping: TopState.Grouping) -> [TopRow] {
        switch (view, grouping) {
        case (.processes, .process): return processes(report)
        case (.processes, .parent): return families(report)
        case (.processes, let grouping): return groups(report, by: grouping)
        case (.connections, _): return connections(report)
        case (.remotes, _): return remotes(report)
        }
    }

    /// One row per process, then `<kernel>` and `<Unknown>` (unknown traffic split by whether the kernel sent
    /// it), which open into their reasons.
    static func processes(_ report: CaptureReport) -> [TopRow] {
        report.processes.map(processRow) + unknownRows(report)
    }

    /// A process's row: who it is, its totals, and its conversations to open into.
    static func processRow(_ process: CaptureReport.ProcessEntry) -> TopRow {
        let identity = process.identity
        return TopRow(id: TopView.id(identity),
                      fields: [.pid: String(identity.pid), .user: TerminalSafe.text(identity.userName ?? String(identity.uid)),
                               .program: TerminalSafe.text(identity.name), .workload: TopView.workload(identity)],
                      tx: process.tx.bytes, rx: process.rx.bytes, conversations: process.conversationCount,
                      name: TerminalSafe.text(identity.name), children: process.conversations.map(TopView.describe))
    }

    /// `<kernel>` and `<Unknown>`, each with its reasons.
    static func unknownRows(_ report: CaptureReport) -> [TopRow] {
        var rows: [TopRow] = []
        for kernel in [true, false] {
            let reasons = report.unknown.reasons.filter { ($0.key == .kernelGenerated) == kernel }
            guard !reasons.isEmpty else { continue }
            let label = kernel ? "<kernel>" : "<Unknown>"
            rows.append(TopRow(id: label, fields: [.pid: "-", .user: "-", .program: label, .workload: "-"],
                               tx: reasons.values.reduce(0) { $0 + $1.bytes }, rx: 0,
                               conversations: report.unknown.conversations.filter { ($0.reason == .kernelGenerated) == kernel }.count,
                               name: label,
                               children: reasons.sorted { $0.value.bytes > $1.value.bytes }.map {
                                   "\($0.key.rawValue)  \($0.value.packets) pkts  \(ByteCountFormat.string($0.value.bytes))"
                               }, style: .unknown))
        }
        return rows
    }

    /// Each process with its descendants on the table folded into it: a process whose parent is on the table
    /// is counted in its eldest ancestor there (a server and the workers it forked, a shell and its commands).
    /// `<kernel>` and `<Unknown>` keep their own rows.
    static func families(_ report: CaptureReport) -> [TopRow] {
        var byPID: [Int32: CaptureReport.ProcessEntry] = [:]
        for process in report.processes { byPID[process.identity.pid] = process }
        func eldest(_ process: CaptureReport.ProcessEntry) -> Int32 {
            var pid = process.identity.pid
            var seen: Set<Int32> = [pid]
            while let parent = byPID[pid].map({ $0.identity.parentPID }), parent > 0, byPID[parent] != nil,
                  seen.insert(parent).inserted {
                pid = parent
            }
            return pid
        }
        var rows: [Int32: TopRow] = [:]
        var order: [Int32] = []
        for process in report.processes {
            let root = eldest(process)
            if rows[root] == nil, let head = byPID[root] {
                order.append(root)
                var row = processRow(head)
                row.id = "parent:" + row.id
                row.tx = 0
                row.rx = 0
                row.conversations = 0
                row.children = []
                rows[root] = row
            }
            rows[root]?.tx &+= process.tx.bytes
            rows[root]?.rx &+= process.rx.bytes
            rows[root]?.conversations += process.conversationCount
            rows[root]?.children.append("\(ConversationOwner.label(pid: process.identity.pid, name: process.identity.name))"
                                        + (process.identity.pid == root ? "" : "  (child of \(process.identity.parentPID))")
                                        + "  " + ByteCountFormat.string(process.tx.bytes + process.rx.bytes))
        }
        let families: [TopRow] = order.compactMap { root in
            guard var row = rows[root] else { return nil }
            row.fields[.processes] = String(row.children.count)
            return row
        }
        return families + unknownRows(report)
    }

    /// The processes of each container (or systemd unit) added up; processes in none share one row.
    static func groups(_ report: CaptureReport, by grouping: TopState.Grouping) -> [TopRow] {
        var byName: [String: TopRow] = [:]
        var order: [String] = []
        for process in report.processes {
            let workload = process.identity.workload
            let name: String
            if grouping == .container, let container = workload.container {
                name = process.identity.containerNames.container.map(TerminalSafe.text)
                    ?? "\(container.runtime):\(container.id.prefix(12))"
            } else if grouping == .unit, let unit = workload.unit {
                name = TerminalSafe.text(unit)
            } else {
                name = grouping == .container ? "(no container)" : "(no unit)"
            }
            if byName[name] == nil {
                order.append(name)
                byName[name] = TopRow(id: "\(grouping.rawValue):\(name)", fields: [.group: name], tx: 0, rx: 0, name: name,
                                      children: [], style: name.hasPrefix("(") ? .dim : .normal)
            }
            byName[name]?.tx &+= process.tx.bytes
            byName[name]?.rx &+= process.rx.bytes
            byName[name]?.conversations += process.conversationCount
            byName[name]?.children.append("\(ConversationOwner.label(pid: process.identity.pid, name: process.identity.name))  "
                                          + ByteCountFormat.string(process.tx.bytes + process.rx.bytes))
        }
        return order.compactMap { name in
            guard var row = byName[name] else { return nil }
            row.fields[.processes] = String(row.children.count)
            return row
        }
    }

    /// A row per live connection, open ones first; closed ones (FIN or RST seen) collapse into one row that
    /// opens into them, with a count of those already folded away.
    static func connections(_ report: CaptureReport) -> [TopRow] {
        var rows: [TopRow] = []
        var closed: [String] = []
        var closedTx: UInt64 = 0, closedRx: UInt64 = 0
        func add(_ conversation: CaptureReport.ConversationEntry, pid: String, program: String, style: TopView.Style,
                 detail: String) {
            if conversation.tcpFlags.contains(.fin) || conversation.tcpFlags.contains(.rst) {
                closed.append("\(pid)/\(program)  " + TopView.describe(conversation))
                closedTx &+= conversation.tx.bytes
                closedRx &+= conversation.rx.bytes
                return
            }
            let key = conversation.key
            let remote = "\(key.remote)" + (conversation.remoteName.map { " (" + TerminalSafe.text($0) + ")" } ?? "")
            rows.append(TopRow(id: "conn:" + conversation.stableID,
                               fields: [.pid: pid, .program: program, .proto: "\(key.proto)", .local: "\(key.local)",
                                        .remote: remote],
                               tx: conversation.tx.bytes, rx: conversation.rx.bytes, conversations: 1, name: program,
                               children: [detail], style: style))
        }
        var folded = 0
        for process in report.processes {
            let program = TerminalSafe.text(process.identity.name)
            for conversation in process.conversations {
                add(conversation, pid: String(process.identity.pid), program: program, style: .normal,
                    detail: conversation.method.map { "attributed by \($0.rawValue)" } ?? "attributed")
            }
            folded += process.foldedConversations
        }
        for conversation in report.unknown.conversations {
            let reason = conversation.reason?.rawValue ?? "unknown"
            add(conversation, pid: "-", program: conversation.reason == .kernelGenerated ? "<kernel>" : "<Unknown>",
                style: .unknown, detail: reason + (conversation.detail.map { ": " + TerminalSafe.text($0) } ?? ""))
        }
        folded += report.unknown.foldedConversations
        if !closed.isEmpty || folded > 0 {
            var children = Array(closed.prefix(200))
            if closed.count > 200 { children.append("... and \(closed.count - 200) more") }
            if folded > 0 { children.append("and \(folded) ended earlier, folded into their processes' totals") }
            let count = closed.count + folded
            rows.append(TopRow(id: "conn:closed", fields: [.pid: "-", .program: "<closed>", .proto: "",
                                                          .remote: "\(count) connection\(count == 1 ? "" : "s")"],
                               tx: closedTx, rx: closedRx, conversations: count, name: "<closed>", children: children,
                               style: .dim, pinnedLast: true))
        }
        return rows
    }

    /// A row per remote address (named from captured DNS where an answer named it), with the processes that
    /// talk to it, which it opens into.
    static func remotes(_ report: CaptureReport) -> [TopRow] {
        var byAddress: [IPAddress: TopRow] = [:]
        var talkers: [IPAddress: [String: UInt64]] = [:]
        func add(_ conversation: CaptureReport.ConversationEntry, owner: String) {
            let address = conversation.key.remote.address
            if byAddress[address] == nil {
                byAddress[address] = TopRow(id: "remote:\(address)", fields: [.host: "\(address)", .hostName: "-"],
                                            tx: 0, rx: 0, name: "", children: [])
            }
            if let name = conversation.remoteName {
                byAddress[address]?.fields[.hostName] = TerminalSafe.text(name)
                byAddress[address]?.name = TerminalSafe.text(name)
            }
            byAddress[address]?.tx &+= conversation.tx.bytes
            byAddress[address]?.rx &+= conversation.rx.bytes
            byAddress[address]?.conversations += 1
            talkers[address, default: [:]][owner, default: 0] &+= conversation.tx.bytes &+ conversation.rx.bytes
        }
        for process in report.processes {
            let owner = ConversationOwner.label(pid: process.identity.pid, name: process.identity.name)
            for conversation in process.conversations { add(conversation, owner: owner) }
        }
        for conversation in report.unknown.conversations {
            add(conversation, owner: conversation.reason == .kernelGenerated ? "<kernel>" : "<Unknown>")
        }
        return byAddress.map { address, row in
            var row = row
            let ranked = (talkers[address] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            row.fields[.talkers] = ranked.map(\.key).joined(separator: ", ")
            row.children = ranked.map { "\($0.key)  \(ByteCountFormat.string($0.value))" }
            if row.name.isEmpty { row.name = "\(address)" }
            return row
        }
    }
}
