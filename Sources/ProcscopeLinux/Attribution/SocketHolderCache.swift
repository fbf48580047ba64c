import ProcscopeCore

/// Where socket inodes were last seen held (process and descriptor), as the resolver's reads of
/// /proc/PID/fd found them. A hit is verified with one readlink before it is trusted, so a stale entry costs
/// only that; what must bound the cache is its size. A scan caches every socket of the process it reads, so
/// without a bound a busy server's every accepted connection would stay cached long after it closed (a
/// capture through 100,000 connections kept 35,000 dead entries, and counting).
///
/// Bounded as `GenerationalCache` bounds: a listener asked about every second stays however many sockets
/// come and go.
struct SocketHolderCache {
    struct Holder {
        var pid: Int32
        var fd: Int32
    }

    private var holders: GenerationalCache<UInt32, Holder>
    var generationLimit: Int { holders.generationLimit }

    init(generationLimit: Int = 65_536) {
        holders = GenerationalCache(generationLimit: generationLimit)
    }

    /// Entries held now (at most twice `generationLimit`).
    var count: Int { holders.count }

    /// The holder last seen for `inode`.
    mutating func holder(of inode: UInt32) -> Holder? { holders.value(for: inode) }

    /// Whether a holder is known for `inode` (without refreshing it).
    func knows(_ inode: UInt32) -> Bool { holders.peek(inode) != nil }

    mutating func note(_ inode: UInt32, pid: Int32, fd: Int32) { holders.set(Holder(pid: pid, fd: fd), for: inode) }

    mutating func forget(_ inode: UInt32) { holders.remove(inode) }
}
