import GRDB
import ProcscopeCore

/// The questions `procscope history` answers: who talked to an endpoint in a period, and how much each
/// program sent and received in one.
extension HistoryStore {
    /// Conversations with `remoteAddress` (and `remotePort`, if given) that were live at some moment of
    /// `from`...`to`, oldest first. The remote end is the far side from the owner's point of view; a
    /// loopback peer is both ends, so the address is matched at either end.
    public func conversations(with remoteAddress: String, port remotePort: Int?, from: Timestamp, to: Timestamp,
                              limit: Int = 10_000) throws -> [HistoryRow] {
        try read { db in
            var sql = "SELECT * FROM conversations WHERE first_seen <= ? AND last_seen >= ? AND remote_address = ?"
            var arguments: [DatabaseValueConvertible?] = [to.rfc3339, from.rfc3339, remoteAddress]
            if let remotePort {
                sql += " AND remote_port = ?"
                arguments.append(remotePort)
            }
            sql += " ORDER BY first_seen, id LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(HistoryRow.init(row:))
        }
    }

    /// Per program and user, the traffic of the conversations live in `from`...`to` (whole conversations:
    /// one that started before `from` counts all its bytes), plus what retention rolled up for the hours in
    /// the period. Largest first.
    public func programTotals(from: Timestamp, to: Timestamp) throws -> [ProgramTotal] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT program, user, sum(tx_packets) AS tx_packets, sum(tx_bytes) AS tx_bytes,
                       sum(rx_packets) AS rx_packets, sum(rx_bytes) AS rx_bytes, sum(conversations) AS conversations
                FROM (
                    SELECT coalesce(program, '<unknown>') AS program, coalesce(user, '') AS user, tx_packets, tx_bytes,
                           rx_packets, rx_bytes, 1 AS conversations
                    FROM conversations WHERE first_seen <= ? AND last_seen >= ?
                    UNION ALL
                    SELECT program, user, tx_packets, tx_bytes, rx_packets, rx_bytes, conversations
                    FROM hourly_totals WHERE hour >= substr(?, 1, 13) AND hour <= ?
                )
                GROUP BY program, user ORDER BY sum(tx_bytes) + sum(rx_bytes) DESC, program
                """, arguments: [to.rfc3339, from.rfc3339, from.rfc3339, to.rfc3339])
            return rows.map { row in
                ProgramTotal(program: row["program"], user: row["user"],
                             tx: TrafficCounter(packets: UInt64(max(0, row["tx_packets"] as Int64)),
                                                bytes: UInt64(max(0, row["tx_bytes"] as Int64))),
                             rx: TrafficCounter(packets: UInt64(max(0, row["rx_packets"] as Int64)),
                                                bytes: UInt64(max(0, row["rx_bytes"] as Int64))),
                             conversations: row["conversations"])
            }
        }
    }

    /// Conversations stored now.
    public func conversationCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM conversations") ?? 0 }
    }
}

/// One program's (and user's) traffic over a period.
public struct ProgramTotal: Sendable, Equatable {
    public var program: String
    public var user: String
    public var tx: TrafficCounter
    public var rx: TrafficCounter
    public var conversations: Int
}

extension HistoryRow {
    /// A row as stored.
    init(row: Row) {
        func time(_ column: String) -> Timestamp? { (row[column] as String?).flatMap(Timestamp.init(rfc3339:)) }
        self.init(id: row["id"], firstSeen: time("first_seen") ?? .zero, lastSeen: time("last_seen") ?? .zero,
                  proto: row["protocol"], localAddress: row["local_address"], localPort: row["local_port"],
                  remoteAddress: row["remote_address"], remotePort: row["remote_port"],
                  tx: TrafficCounter(packets: UInt64(max(0, row["tx_packets"] as Int64)), bytes: UInt64(max(0, row["tx_bytes"] as Int64))),
                  rx: TrafficCounter(packets: UInt64(max(0, row["rx_packets"] as Int64)), bytes: UInt64(max(0, row["rx_bytes"] as Int64))),
                  pid: row["pid"], startTime: time("start_time"), program: row["program"], exe: row["exe"],
                  cmdline: row["cmdline"], uid: row["uid"], user: row["user"], container: row["container"],
                  unit: row["unit"], method: row["method"], reason: row["reason"], detail: row["detail"],
                  event: row["event"])
    }
}
