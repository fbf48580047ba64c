import Foundation
import GRDB
import ProcscopeCore

/// The flow history in SQLite (WAL mode): conversations written in batches, retention with hourly rollups,
/// and the questions `procscope history` asks. One writer (the recorder's thread); readers may run beside it.
public final class HistoryStore: @unchecked Sendable {
    public let path: String
    private let pool: DatabasePool

    /// Where `record` and `history` look unless told (`--db`).
    public static let defaultPath = "/var/lib/procscope/history.db"

    /// Opens (`create`: creating it and its directory if missing) the database at `path`, migrated to the
    /// current schema. A database from a newer procscope is refused rather than written wrongly.
    public init(path: String, create: Bool) throws {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw HistoryError(path: path, problem: "no such file: `procscope record` writes it (or give --db)")
        }
        if create {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
        }
        var configuration = Configuration()
        configuration.readonly = !create
        configuration.prepareDatabase { db in
            // A crash of procscope (not of the machine) loses nothing committed; a power cut at most the
            // last commits. Pages freed by retention go back to the file system (`--max-db-size`).
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let version = try pool.read { db -> Int? in
                try db.tableExists("schema_version") ? Int.fetchOne(db, sql: "SELECT version FROM schema_version") : nil
            }
            if let version, version > HistorySchema.version {
                throw HistoryError(path: path, problem: "schema version \(version) is newer than this procscope's "
                                   + "(\(HistorySchema.version)): use a newer procscope, or another --db")
            }
            if create { try HistorySchema.migrator().migrate(pool) }
            else if version == nil { throw HistoryError(path: path, problem: "not a procscope history database") }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw HistoryError.wrapping(error, path: path, doing: create ? "opening for writing" : "opening")
        }
    }

    /// Writes a batch in one transaction: new conversations inserted, known ones updated.
    public func write(_ rows: [HistoryRow]) throws {
        guard !rows.isEmpty else { return }
        do {
            try pool.write { db in
                let statement = try db.cachedStatement(sql: """
                    INSERT INTO conversations (id, first_seen, last_seen, protocol, local_address, local_port,
                        remote_address, remote_port, tx_packets, tx_bytes, rx_packets, rx_bytes, pid, start_time,
                        program, exe, cmdline, uid, user, container, unit, method, reason, detail, event)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen,
                        tx_packets = excluded.tx_packets, tx_bytes = excluded.tx_bytes,
                        rx_packets = excluded.rx_packets, rx_bytes = excluded.rx_bytes, pid = excluded.pid,
                        start_time = excluded.start_time, program = excluded.program, exe = excluded.exe,
                        cmdline = excluded.cmdline, uid = excluded.uid, user = excluded.user,
                        container = excluded.container, unit = excluded.unit, method = excluded.method,
                        reason = excluded.reason, detail = excluded.detail, event = excluded.event
                    """)
                for row in rows {
                    let values: [DatabaseValueConvertible?] = [
                        row.id, row.firstSeen.rfc3339, row.lastSeen.rfc3339, row.proto, row.localAddress,
                        row.localPort, row.remoteAddress, row.remotePort,
                        Int64(clamping: row.tx.packets), Int64(clamping: row.tx.bytes),
                        Int64(clamping: row.rx.packets), Int64(clamping: row.rx.bytes), row.pid,
                        row.startTime?.rfc3339, row.program, row.exe, row.cmdline, row.uid, row.user, row.container,
                        row.unit, row.method, row.reason, row.detail, row.event,
                    ]
                    try statement.execute(arguments: StatementArguments(values))
                }
            }
        } catch {
            throw HistoryError.wrapping(error, path: path, doing: "writing \(rows.count) conversations")
        }
    }

    /// Rolls conversations that ended before `cutoff` into `hourly_totals` and deletes them; then, while the
    /// file is larger than `maxBytes`, does the same for the oldest tenth. Returns the rows removed.
    @discardableResult
    public func applyRetention(before cutoff: Timestamp?, maxBytes: Int64?) throws -> Int {
        do {
            var removed = 0
            if let cutoff { removed += try rollUp(through: cutoff.rfc3339, inclusive: false) }
            guard let maxBytes else { return removed }
            for _ in 0..<20 {
                guard try size() > maxBytes else { break }
                let oldest = try pool.read { db in
                    let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM conversations") ?? 0
                    return try String.fetchOne(db, sql: "SELECT last_seen FROM conversations ORDER BY last_seen LIMIT 1 OFFSET ?",
                                               arguments: [max(0, count / 10)])
                }
                guard let oldest else { break }
                removed += try rollUp(through: oldest, inclusive: true)
            }
            return removed
        } catch {
            throw HistoryError.wrapping(error, path: path, doing: "applying retention")
        }
    }

    private func rollUp(through last: String, inclusive: Bool) throws -> Int {
        let comparison = inclusive ? "<=" : "<"
        return try pool.write { db in
            try db.execute(sql: """
                INSERT INTO hourly_totals (hour, program, user, tx_packets, tx_bytes, rx_packets, rx_bytes, conversations)
                SELECT substr(first_seen, 1, 13) || ':00:00Z', coalesce(program, '<unknown>'), coalesce(user, ''),
                       sum(tx_packets), sum(tx_bytes), sum(rx_packets), sum(rx_bytes), count(*)
                FROM conversations WHERE last_seen \(comparison) ? GROUP BY 1, 2, 3
                ON CONFLICT (hour, program, user) DO UPDATE SET
                    tx_packets = tx_packets + excluded.tx_packets, tx_bytes = tx_bytes + excluded.tx_bytes,
                    rx_packets = rx_packets + excluded.rx_packets, rx_bytes = rx_bytes + excluded.rx_bytes,
                    conversations = conversations + excluded.conversations
                """, arguments: [last])
            try db.execute(sql: "DELETE FROM conversations WHERE last_seen \(comparison) ?", arguments: [last])
            let removed = db.changesCount
            try db.execute(sql: "PRAGMA incremental_vacuum")
            return removed
        }
    }

    /// The database's size in bytes (pages in use and free; the WAL aside).
    public func size() throws -> Int64 {
        try pool.read { db in
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
            return pages * pageSize
        }
    }

    /// Reads with the pool (the questions in `HistoryQueries`).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw HistoryError.wrapping(error, path: path, doing: "reading") }
    }
}
