/// Where socket inodes were last seen held (process and descriptor), as the resolver's reads of
/// /proc/PID/fd found them. A hit is verified with one readlink before it is trusted, so a stale entry costs
/// only that; what must bound the cache is its size. A scan caches every socket of the process it reads, so
/// without a bound a busy server's every accepted connection would stay cached long after it closed (a
/// capture through 100,000 connections kept 35,000 dead entries, and counting).
///
/// Two generations: entries go into the current one; when it holds `generationLimit`, it becomes the
/// previous one and the older generation is dropped. A hit in the previous generation moves back into the
/// current one, so a listener asked about every second stays however many sockets come and go.
struct SocketHolderCache {
    struct Holder {
        var pid: Int32
        var fd: Int32
    }

    private var current: [UInt32: Holder] = [:]
    private var previous: [UInt32: Holder] = [:]
    let generationLimit: Int

    init(generationLimit: Int = 65_536) {
        self.generationLimit = generationLimit
    }

    /// Entries held now (at most twice `generationLimit`).
    var count: Int { current.count + previous.count }

    /// The holder last seen for `inode`.
    mutating func holder(of inode: UInt32) -> Holder? {
        if let holder = current[inode] { return holder }
        guard let holder = previous.removeValue(forKey: inode) else { return nil }
        store(inode, holder)
        return holder
    }

    /// Whether a holder is known for `inode` (without refreshing it).
    func knows(_ inode: UInt32) -> Bool { current[inode] != nil || previous[inode] != nil }

    mutating func note(_ inode: UInt32, pid: Int32, fd: Int32) {
        previous.removeValue(forKey: inode)
        store(inode, Holder(pid: pid, fd: fd))
    }

    mutating func forget(_ inode: UInt32) {
        current.removeValue(forKey: inode)
        previous.removeValue(forKey: inode)
    }

    private mutating func store(_ inode: UInt32, _ holder: Holder) {
        if current.count >= generationLimit && current[inode] == nil {
            previous = current
            current = [:]
        }
        current[inode] = holder
    }
}
