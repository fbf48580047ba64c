import Foundation
import GRDB
@testable import ProcscopeCore
@testable import ProcscopeHistory
import Testing

/// The history database on a temporary file: rows written and updated, the questions `history` asks,
/// retention's rollups, the schema version, and refusals that say what to do.
@Suite struct HistoryStoreTests {
    let directory = NSTemporaryDirectory() + "procscope-history-\(UUID().uuidString)"
    var path: String { directory + "/sub/history.db" }

    func row(_ id: String, remote: String = "203.0.113.7", port: Int? = 443, first: String, last: String,
             program: String? = "curl", pid: Int? = 100, bytes: UInt64 = 1000) -> HistoryRow {
        HistoryRow(id: id, firstSeen: Timestamp(rfc3339: first)!, lastSeen: Timestamp(rfc3339: last)!, proto: "tcp",
                   localAddress: "192.0.2.1", localPort: 40000, remoteAddress: remote, remotePort: port,
                   tx: TrafficCounter(packets: 10, bytes: bytes), rx: TrafficCounter(packets: 5, bytes: bytes / 2),
                   pid: pid, startTime: pid == nil ? nil : Timestamp(rfc3339: "2026-12-01T00:00:00Z"),
                   program: program, exe: program.map { "/usr/bin/\($0)" }, cmdline: program, uid: 0, user: "root",
                   container: nil, unit: nil, method: pid == nil ? nil : "exact-socket",
                   reason: pid == nil ? "lookup-timed-out" : nil, detail: nil, event: "closed")
    }

    @Test("Who talked to an address at a moment: the conversations live then, updated in place, with their owners")
    func whoAnswersFromWrittenRows() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(path: path, create: true)
        try store.write([
            row("a", first: "2026-12-01T02:10:00Z", last: "2026-12-01T02:13:00Z"),
            row("b", first: "2026-12-01T02:13:30Z", last: "2026-12-01T02:20:00Z", program: "firefox", pid: 200),
            row("c", remote: "198.51.100.1", first: "2026-12-01T02:14:00Z", last: "2026-12-01T02:15:00Z"),
            row("d", port: 80, first: "2026-12-01T02:14:00Z", last: "2026-12-01T02:14:30Z", program: "wget", pid: 300),
        ])
        // A later batch updates "b" (its bytes grew, it lasted longer).
        try store.write([row("b", first: "2026-12-01T02:13:30Z", last: "2026-12-01T02:25:00Z", program: "firefox",
                             pid: 200, bytes: 5000)])
        let at = Timestamp(rfc3339: "2026-12-01T02:14:00Z")!
        let window = (Timestamp(microseconds: at.microseconds - 1_000_000), Timestamp(microseconds: at.microseconds + 1_000_000))
        let any = try store.conversations(with: "203.0.113.7", port: nil, from: window.0, to: window.1)
        #expect(any.map(\.id) == ["b", "d"])
        #expect(any.first?.tx.bytes == 5000 && any.first?.program == "firefox" && any.first?.pid == 200)
        #expect(any.first?.lastSeen == Timestamp(rfc3339: "2026-12-01T02:25:00Z"))
        let https = try store.conversations(with: "203.0.113.7", port: 443, from: window.0, to: window.1)
        #expect(https.map(\.id) == ["b"])
        #expect(try store.conversationCount() == 4)
    }

    @Test("Retention rolls old conversations into hourly totals that top still counts; a reopened store appends")
    func retentionRollsUpAndTopCounts() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try HistoryStore(path: path, create: true)
            try store.write([
                row("old1", first: "2026-11-01T05:10:00Z", last: "2026-11-01T05:11:00Z", bytes: 1000),
                row("old2", first: "2026-11-01T05:40:00Z", last: "2026-11-01T05:41:00Z", bytes: 3000),
                row("new", first: "2026-12-01T02:00:00Z", last: "2026-12-01T02:01:00Z", program: "nginx", pid: 5, bytes: 100),
            ])
            let removed = try store.applyRetention(before: Timestamp(rfc3339: "2026-11-15T00:00:00Z"), maxBytes: nil)
            #expect(removed == 2)
        }
        let store = try HistoryStore(path: path, create: true)
        try store.write([row("later", first: "2026-12-01T03:00:00Z", last: "2026-12-01T03:01:00Z", program: "nginx", pid: 6)])
        #expect(try store.conversationCount() == 2, "the second run appended")
        let november = try store.programTotals(from: Timestamp(rfc3339: "2026-11-01T00:00:00Z")!,
                                               to: Timestamp(rfc3339: "2026-11-02T00:00:00Z")!)
        #expect(november.map(\.program) == ["curl"])
        #expect(november.first?.tx.bytes == 4000 && november.first?.conversations == 2, "rolled up, still counted")
        let december = try store.programTotals(from: Timestamp(rfc3339: "2026-12-01T00:00:00Z")!,
                                               to: Timestamp(rfc3339: "2026-12-02T00:00:00Z")!)
        #expect(december.map(\.program) == ["nginx"] && december.first?.conversations == 2)
    }

    @Test("A size limit rolls up the oldest conversations until the file fits")
    func sizeLimitRollsUpTheOldest() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(path: path, create: true)
        var rows: [HistoryRow] = []
        for n in 0..<20_000 {
            let minute = String(format: "%02d", n / 1000)
            rows.append(row("r\(n)", first: "2026-12-01T02:\(minute):00Z", last: "2026-12-01T02:\(minute):30Z"))
        }
        try store.write(rows)
        let full = try store.size()
        try store.applyRetention(before: nil, maxBytes: full / 2)
        let after = try store.size()
        #expect(after <= full / 2, "\(after) of \(full)")
        let left = try store.conversationCount()
        #expect(left > 0 && left < 20_000)
        let totals = try store.programTotals(from: Timestamp(rfc3339: "2026-12-01T00:00:00Z")!,
                                             to: Timestamp(rfc3339: "2026-12-02T00:00:00Z")!)
        #expect(totals.first?.conversations == 20_000, "rolled-up and kept conversations together")
    }

    @Test("The schema version is there for sqlite3 users; a newer one, a missing file or another file is refused, saying why")
    func schemaVersionAndRefusals() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try HistoryStore(path: path, create: true)
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT version FROM schema_version") } == 1)
        try queue.write { try $0.execute(sql: "UPDATE schema_version SET version = 99") }
        try queue.close()
        do {
            _ = try HistoryStore(path: path, create: true)
            Issue.record("a newer schema was opened for writing")
        } catch let error as HistoryError {
            #expect(error.description.contains("schema version 99 is newer"), "\(error)")
        }
        #expect(throws: HistoryError.self) { try HistoryStore(path: directory + "/missing.db", create: false) }
        do {
            _ = try HistoryStore(path: directory + "/missing.db", create: false)
        } catch let error as HistoryError {
            #expect(error.description.contains("procscope record") && error.description.contains("--db"))
        }
        let other = directory + "/other.db"
        try Data("not a database at all, just text".utf8).write(to: URL(fileURLWithPath: other))
        do {
            _ = try HistoryStore(path: other, create: false)
            Issue.record("a text file opened as a history")
        } catch let error as HistoryError {
            #expect(error.description.contains("other.db"), "\(error)")
        }
    }

    @Test("Times as people type them: RFC 3339 with or without a fraction, offset or T; now; a time ago")
    func momentsParse() {
        let now = Timestamp(rfc3339: "2026-12-01T12:00:00Z")!
        #expect(Timestamp(rfc3339: "2026-12-01T02:14:00Z")?.rfc3339 == "2026-12-01T02:14:00.000000Z")
        #expect(Timestamp(rfc3339: "2026-12-01 02:14:00.5")?.rfc3339 == "2026-12-01T02:14:00.500000Z")
        #expect(Timestamp(rfc3339: "2026-12-01T03:14:00+01:00")?.rfc3339 == "2026-12-01T02:14:00.000000Z")
        #expect(Timestamp(rfc3339: "2026-12-01")?.rfc3339 == "2026-12-01T00:00:00.000000Z")
        #expect(Timestamp(rfc3339: "1969-12-31T23:59:59Z")?.microseconds == -1_000_000)
        for bad in ["2026-13-01", "2026-12-32", "yesterday", "2026-12-01T25:00:00Z", "2026-12-01T02:14", ""] {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
        #expect(Timestamp(moment: "now", now: now) == now)
        #expect(Timestamp(moment: "-1h", now: now)?.rfc3339 == "2026-12-01T11:00:00.000000Z")
        #expect(Timestamp(moment: "90m", now: now)?.rfc3339 == "2026-12-01T10:30:00.000000Z")
        #expect(Timestamp(moment: "2d", now: now)?.rfc3339 == "2026-11-29T12:00:00.000000Z")
        #expect(Timestamp(moment: "5x", now: now) == nil && Timestamp(moment: "h", now: now) == nil)
    }
}
