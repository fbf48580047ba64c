import GRDB

/// The history database's tables, for procscope and for anyone with `sqlite3` (README, "History").
/// Times are RFC 3339 text in UTC with microseconds (`2026-12-01T02:14:00.123456Z`): fixed width, so text
/// order is time order and `WHERE first_seen >= '2026-12-01'` works as it reads.
///
/// - `conversations`: one row per conversation (`id`, the export's stable id), updated while it lives.
/// - `hourly_totals`: what retention rolled up, per hour (of first_seen), program and user.
/// - `schema_version`: one row, the version below; a newer procscope migrates, an older one refuses.
enum HistorySchema {
    static let version = 1

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE schema_version (version INTEGER NOT NULL);
                INSERT INTO schema_version (version) VALUES (1);
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    first_seen TEXT NOT NULL,
                    last_seen TEXT NOT NULL,
                    protocol TEXT NOT NULL,
                    local_address TEXT NOT NULL,
                    local_port INTEGER,
                    remote_address TEXT NOT NULL,
                    remote_port INTEGER,
                    tx_packets INTEGER NOT NULL,
                    tx_bytes INTEGER NOT NULL,
                    rx_packets INTEGER NOT NULL,
                    rx_bytes INTEGER NOT NULL,
                    pid INTEGER,
                    start_time TEXT,
                    program TEXT,
                    exe TEXT,
                    cmdline TEXT,
                    uid INTEGER,
                    user TEXT,
                    container TEXT,
                    unit TEXT,
                    method TEXT,
                    reason TEXT,
                    detail TEXT,
                    event TEXT NOT NULL
                );
                CREATE INDEX conversations_by_remote ON conversations (remote_address, remote_port, last_seen);
                CREATE INDEX conversations_by_time ON conversations (last_seen);
                CREATE TABLE hourly_totals (
                    hour TEXT NOT NULL,
                    program TEXT NOT NULL,
                    user TEXT NOT NULL,
                    tx_packets INTEGER NOT NULL,
                    tx_bytes INTEGER NOT NULL,
                    rx_packets INTEGER NOT NULL,
                    rx_bytes INTEGER NOT NULL,
                    conversations INTEGER NOT NULL,
                    PRIMARY KEY (hour, program, user)
                );
                """)
        }
        return migrator
    }
}
