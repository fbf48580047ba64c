import ProcscopeCore

/// The host-wide search for a socket's holder, done a slice at a time between lookups.
///
/// On a busy host one pass over every process's /proc/PID/fd takes a long time (~2 us per descriptor:
/// 3,000 processes x 50 sockets is ~0.3 s). Done inside one lookup it held up every lookup queued behind it,
/// and clients that exit right after sending were lost while they waited. The kernel's records name most
/// owners directly (`OwnershipResolver.kernelCandidates`); the lookups they cannot answer wait for the sweep,
/// which the attribution worker advances in slices of a few milliseconds after the other lookups of each turn.
///
/// A waiter is answered by a sweep that began after it started waiting (`nextGeneration`), so the process it
/// needs was listed; a sweep already running may find its socket sooner, which the worker checks after
/// every slice through the inode cache the scan fills.
final class ProcessSweep {
    private var order: [Int32] = []
    private var cursor = 0
    /// Sweeps begun and finished so far.
    private(set) var begun = 0
    private(set) var finished = 0

    var isRunning: Bool { cursor < order.count }

    /// The generation a lookup starting to wait now must see finish.
    var nextGeneration: Int { begun + 1 }

    /// Starts a pass over `pids` (the scan order: newest processes first).
    func begin(_ pids: [Int32]) {
        order = pids
        cursor = 0
        begun += 1
        if pids.isEmpty { finished = begun }
    }

    /// Scans processes until `deadline` (wall clock) or the end of the pass; true when the pass finished.
    @discardableResult
    func advance(until deadline: Timestamp, scan: (Int32) -> Void) -> Bool {
        while cursor < order.count {
            scan(order[cursor])
            cursor += 1
            // The clock is read every 8 processes: cheap next to the directory reads.
            if cursor % 8 == 0 && wallClockNow() >= deadline { break }
        }
        guard cursor >= order.count, finished < begun else { return false }
        finished = begun
        order = []
        cursor = 0
        return true
    }
}
