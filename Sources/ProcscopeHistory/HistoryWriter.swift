import Foundation
import ProcscopeCore
import Synchronization

/// Writes the recorder's rows off the capture thread: the capture thread hands batches over (`enqueue`, a
/// lock held for an append), and this thread commits what has queued once a second, so a crash loses at
/// most the last second. Retention runs here too, once a minute. A failed write is kept (`failure`) for the
/// command to stop on and report; nothing more is written after it.
public final class HistoryWriter: @unchecked Sendable {
    public struct Retention: Sendable {
        /// Conversations that ended longer ago than this are rolled up and deleted.
        public var maxAgeMicros: Int64?
        public var maxBytes: Int64?

        public init(maxAgeMicros: Int64?, maxBytes: Int64?) {
            self.maxAgeMicros = maxAgeMicros
            self.maxBytes = maxBytes
        }
    }

    private let store: HistoryStore
    private let retention: Retention
    private let queue = Mutex<[HistoryRow]>([])
    private let stopping = Atomic<Bool>(false)
    private let failed = Mutex<HistoryError?>(nil)
    private let done = DispatchSemaphore(value: 0)
    private let wake = DispatchSemaphore(value: 0)
    private var started = false
    /// Rows committed so far.
    public let written = Atomic<Int>(0)

    public init(store: HistoryStore, retention: Retention) {
        self.store = store
        self.retention = retention
    }

    /// The first write that failed, if any.
    public var failure: HistoryError? { failed.withLock { $0 } }

    public func start() {
        started = true
        let thread = Thread { [self] in run() }
        thread.name = "procscope-history"
        thread.start()
    }

    public func enqueue(_ rows: [HistoryRow]) {
        guard !rows.isEmpty else { return }
        queue.withLock { $0.append(contentsOf: rows) }
    }

    /// Writes what is queued and stops the thread (waiting for it).
    public func finish() {
        guard started else { return flush() }
        stopping.store(true, ordering: .relaxed)
        wake.signal()
        done.wait()
    }

    private func run() {
        var lastRetention = Date.distantPast
        while !stopping.load(ordering: .relaxed) {
            _ = wake.wait(timeout: .now() + .seconds(1))
            flush()
            if Date().timeIntervalSince(lastRetention) >= 60 {
                lastRetention = Date()
                applyRetention()
            }
        }
        flush()
        applyRetention()
        done.signal()
    }

    private func flush() {
        var rows: [HistoryRow] = []
        queue.withLock { swap(&rows, &$0) }
        guard !rows.isEmpty, failure == nil else { return }
        // Several updates of one conversation in a batch: only the last is worth writing.
        var latest: [String: Int] = [:]
        for (index, row) in rows.enumerated() { latest[row.id] = index }
        let batch = rows.indices.filter { latest[rows[$0].id] == $0 }.map { rows[$0] }
        do {
            try store.write(batch)
            written.add(batch.count, ordering: .relaxed)
        } catch {
            failed.withLock { $0 = error as? HistoryError ?? HistoryError(path: store.path, problem: "\(error)") }
        }
    }

    private func applyRetention() {
        guard failure == nil, retention.maxAgeMicros != nil || retention.maxBytes != nil else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
        do {
            try store.applyRetention(before: retention.maxAgeMicros.map { Timestamp(microseconds: now - $0) },
                                     maxBytes: retention.maxBytes)
        } catch {
            failed.withLock { $0 = error as? HistoryError ?? HistoryError(path: store.path, problem: "\(error)") }
        }
    }
}
