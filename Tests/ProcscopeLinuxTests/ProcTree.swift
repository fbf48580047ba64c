import Foundation

/// A /proc tree written into a temporary directory, for tests of code that reads processes and their
/// descriptors (`ProcFileSystem(root:)`): each process has `stat`, `status`, `cmdline` and an `fd/` folder of
/// `socket:[INODE]` links, owned by the user running the tests. Removed by `remove()`.
final class ProcTree {
    let root: String

    init() throws {
        root = NSTemporaryDirectory() + "procscope-proc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try "cpu  1 2 3 4\nbtime 1700000000\n".write(toFile: root + "/stat", atomically: true, encoding: .utf8)
    }

    /// Adds process `pid` named `name`, started `startTicks` clock ticks after boot, holding `sockets`
    /// (socket inodes, as fds 3, 4, ...).
    func addProcess(_ pid: Int32, name: String, sockets: [UInt32] = [], startTicks: Int = 1000) throws {
        let directory = "\(root)/\(pid)"
        try FileManager.default.createDirectory(atPath: directory + "/fd", withIntermediateDirectories: true)
        let stat = "\(pid) (\(name)) S 1 \(pid) \(pid) 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 \(startTicks) 1000 100\n"
        try stat.write(toFile: directory + "/stat", atomically: true, encoding: .utf8)
        try "Name:\t\(name)\nUid:\t\(getuid())\t\(getuid())\t\(getuid())\t\(getuid())\n"
            .write(toFile: directory + "/status", atomically: true, encoding: .utf8)
        try "\(name)\0".write(toFile: directory + "/cmdline", atomically: true, encoding: .utf8)
        for (index, inode) in sockets.enumerated() { try hold(inode, pid: pid, fd: Int32(3 + index)) }
    }

    /// Gives `pid` socket `inode` as descriptor `fd`.
    func hold(_ inode: UInt32, pid: Int32, fd: Int32) throws {
        try FileManager.default.createSymbolicLink(atPath: "\(root)/\(pid)/fd/\(fd)", withDestinationPath: "socket:[\(inode)]")
    }

    /// The process exits: its directory goes.
    func exit(_ pid: Int32) throws {
        try FileManager.default.removeItem(atPath: "\(root)/\(pid)")
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
