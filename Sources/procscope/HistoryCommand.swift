import ArgumentParser
import Foundation
import ProcscopeCore
import ProcscopeHistory
import ProcscopeLinux

/// `procscope history`: questions for the database `procscope record` writes.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Ask the history that 'procscope record' keeps: who talked to an address, which programs sent most.",
        discussion: """
        Times are RFC 3339 ('2026-12-01T02:14:00Z', '2026-12-01 02:14:00' is UTC, an offset such as +01:00 \
        is honoured), 'now', or a time ago ('-1h', '90m', '2d').

        Examples:
          procscope history who --remote 203.0.113.7:443 --at '2026-12-01 02:14:00'
          procscope history who --remote 2001:db8::5 --since -1d --json
          procscope history top --since 1h
        """,
        subcommands: [HistoryWhoCommand.self, HistoryTopCommand.self]
    )
}

/// `history who --remote ADDR[:PORT]`: the processes that talked to an endpoint, and when.
struct HistoryWhoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "The processes that talked to a remote address (and port), with their conversations and bytes."
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, help: ArgumentHelp("The remote end: an address, with a port as ADDR:PORT or [IPv6]:PORT.", valueName: "address[:port]"))
    var remote: RemoteEndpointOption

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("A moment: conversations live then (within a second).", valueName: "time"))
    var at: MomentOption?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The start of a period (default: the beginning of the history).", valueName: "time"))
    var since: MomentOption?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The end of a period (default: now).", valueName: "time"))
    var until: MomentOption?

    @Flag(name: .long, help: "Print JSON (an array of conversations with their owners).")
    var json = false

    func validate() throws {
        if at != nil && (since != nil || until != nil) {
            throw ValidationError("--at names a moment; --since and --until a period: give one or the other.")
        }
    }

    func run() throws {
        let now = wallClockNow()
        let (from, to): (Timestamp, Timestamp)
        if let at {
            let moment = at.resolve(now: now)
            (from, to) = (Timestamp(microseconds: moment.microseconds - 1_000_000), Timestamp(microseconds: moment.microseconds + 1_000_000))
        } else {
            (from, to) = (since?.resolve(now: now) ?? Timestamp(microseconds: 0), until?.resolve(now: now) ?? now)
        }
        let store = try HistoryStore(path: database.db, create: false)
        let rows = try store.conversations(with: remote.address, port: remote.port, from: from, to: to)
        if json {
            var writer = JSONWriter(capacity: 4096)
            writer.array { w in for row in rows { row.writeJSON(to: &w) } }
            try OutputFailure.standardOutput(writer.bytes + [UInt8(ascii: "\n")])
            return
        }
        var text = ""
        if rows.isEmpty {
            text = "no conversation with \(remote.text) between \(from.rfc3339) and \(to.rfc3339)\n"
        } else {
            text = pad("PID", 7) + pad("PROGRAM", 20) + pad("USER", 10) + pad("LOCAL", 24) + pad("REMOTE", 24)
                + pad("FIRST SEEN", 28) + pad("LAST SEEN", 28) + pad("TX", 10) + "RX\n"
            for row in rows {
                let owner = row.pid.map(String.init) ?? "-"
                let program = row.program.map(TerminalSafe.text) ?? "<Unknown: \(row.reason ?? "?")>"
                text += pad(owner, 7) + pad(program, 20) + pad(row.user.map(TerminalSafe.text) ?? "-", 10)
                    + pad(endpoint(row.localAddress, row.localPort), 24) + pad(endpoint(row.remoteAddress, row.remotePort), 24)
                    + pad(row.firstSeen.rfc3339, 28) + pad(row.lastSeen.rfc3339, 28)
                    + pad(ByteCountFormat.string(row.tx.bytes), 10) + ByteCountFormat.string(row.rx.bytes) + "\n"
            }
        }
        try OutputFailure.standardOutput(Array(text.utf8))
    }
}

/// `history top --since T`: per-program totals over a period.
struct HistoryTopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Per-program traffic over a period, largest first."
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("The start of the period.", valueName: "time"))
    var since: MomentOption = MomentOption(argument: "1h")!

    @Option(name: .long, help: ArgumentHelp("The end of the period (default: now).", valueName: "time"))
    var until: MomentOption?

    @Flag(name: .long, help: "Print JSON (an array of per-program totals).")
    var json = false

    func run() throws {
        let now = wallClockNow()
        let from = since.resolve(now: now), to = until?.resolve(now: now) ?? now
        let store = try HistoryStore(path: database.db, create: false)
        let totals = try store.programTotals(from: from, to: to)
        if json {
            var writer = JSONWriter(capacity: 4096)
            writer.array { w in
                for total in totals {
                    w.object { w in
                        w.key("conversations"); w.number(Int64(total.conversations))
                        w.key("program"); w.string(total.program)
                        w.key("rx"); w.object { w in w.key("bytes"); w.number(total.rx.bytes); w.key("packets"); w.number(total.rx.packets) }
                        w.key("tx"); w.object { w in w.key("bytes"); w.number(total.tx.bytes); w.key("packets"); w.number(total.tx.packets) }
                        w.key("user"); w.string(total.user)
                    }
                }
            }
            try OutputFailure.standardOutput(writer.bytes + [UInt8(ascii: "\n")])
            return
        }
        var text = pad("PROGRAM", 20) + pad("USER", 12) + pad("TX BYTES", 12) + pad("RX BYTES", 12) + "CONVS\n"
        for total in totals {
            text += pad(TerminalSafe.text(total.program), 20) + pad(TerminalSafe.text(total.user), 12)
                + pad(ByteCountFormat.string(total.tx.bytes), 12) + pad(ByteCountFormat.string(total.rx.bytes), 12)
                + "\(total.conversations)\n"
        }
        text += "\(from.rfc3339) to \(to.rfc3339)\n"
        try OutputFailure.standardOutput(Array(text.utf8))
    }
}

/// `--remote`'s value: `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53`.
struct RemoteEndpointOption: ExpressibleByArgument {
    let address: String
    let port: Int?
    let text: String

    init?(argument: String) {
        text = argument
        // The history stores addresses as the JSON export writes them: normalised through the parser.
        guard let (host, portText) = splitHostPort(argument), let parsed = IPAddress(numeric: String(host)) else {
            return nil
        }
        address = parsed.description
        if let portText {
            guard let value = Int(portText), (0...65535).contains(value) else { return nil }
            port = value
        } else {
            port = nil
        }
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

private func endpoint(_ address: String, _ port: Int?) -> String {
    guard let port else { return address }
    return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
}

extension HistoryRow {
    func writeJSON(to writer: inout JSONWriter) {
        writer.object { w in
            w.key("container"); w.string(container)
            w.key("detail"); w.string(detail)
            w.key("event"); w.string(event)
            w.key("first_seen"); w.timestamp(firstSeen)
            w.key("id"); w.string(id)
            w.key("last_seen"); w.timestamp(lastSeen)
            w.key("local"); w.object { w in
                w.key("address"); w.string(localAddress)
                w.key("port"); if let localPort { w.number(Int64(localPort)) } else { w.null() }
            }
            w.key("method"); w.string(method)
            w.key("owner")
            if let pid {
                w.object { w in
                    w.key("cmdline"); w.string(cmdline)
                    w.key("exe"); w.string(exe)
                    w.key("pid"); w.number(Int64(pid))
                    w.key("program"); w.string(program)
                    w.key("start_time"); if let startTime { w.timestamp(startTime) } else { w.null() }
                    w.key("uid"); if let uid { w.number(Int64(uid)) } else { w.null() }
                    w.key("user"); w.string(user)
                }
            } else {
                w.null()
            }
            w.key("protocol"); w.string(proto)
            w.key("reason"); w.string(reason)
            w.key("remote"); w.object { w in
                w.key("address"); w.string(remoteAddress)
                w.key("port"); if let remotePort { w.number(Int64(remotePort)) } else { w.null() }
            }
            w.key("rx"); w.object { w in w.key("bytes"); w.number(rx.bytes); w.key("packets"); w.number(rx.packets) }
            w.key("tx"); w.object { w in w.key("bytes"); w.number(tx.bytes); w.key("packets"); w.number(tx.packets) }
            w.key("unit"); w.string(unit)
        }
    }
}
