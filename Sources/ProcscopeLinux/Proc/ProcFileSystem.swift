import Glibc
import ProcscopeCore

/// Reads what procscope needs from a procfs tree. Rooted at a path, so tests run on fixture trees under
/// Fixtures/ and never on the live machine's /proc.
public struct ProcFileSystem: Sendable {
    public let root: String

    public init(root: String = "/proc") {
        self.root = root
    }

    /// PIDs of all processes (the numeric directories of the root).
    public func processIDs() -> [Int32] {
        guard let directory = opendir(root) else { return [] }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let pid = withUnsafeBytes(of: entry.pointee.d_name) { Self.parsePID($0) }
            if let pid { pids.append(pid) }
        }
        return pids
    }

    /// The socket inodes a process holds, with their fd numbers. `deniedCount` counts fds whose link could
    /// not be read (EACCES even for root in some cases): they are counted, not fatal.
    public func sockets(of pid: Int32, deniedCount: inout Int) -> [(fd: Int32, inode: UInt32)] {
        var tableDenied = false
        return sockets(of: pid, deniedCount: &deniedCount, tableDenied: &tableDenied)
    }

    /// As `sockets(of:deniedCount:)`; `tableDenied` is set when the whole descriptor table could not be read
    /// (another user's process without cap_sys_ptrace and cap_dac_read_search): it may hold any socket.
    public func sockets(of pid: Int32, deniedCount: inout Int, tableDenied: inout Bool) -> [(fd: Int32, inode: UInt32)] {
        let path = "\(root)/\(pid)/fd"
        guard let directory = opendir(path) else {
            if errno == EACCES || errno == EPERM {
                deniedCount += 1
                tableDenied = true
            }
            return []
        }
        defer { closedir(directory) }
        let directoryFD = dirfd(directory)
        var sockets: [(Int32, UInt32)] = []
        var link = [CChar](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            guard let fd = withUnsafeBytes(of: entry.pointee.d_name, { Self.parsePID($0) }) else { continue }
            let length = withUnsafeBytes(of: entry.pointee.d_name) { name in
                readlinkat(directoryFD, name.baseAddress!.assumingMemoryBound(to: CChar.self), &link, link.count)
            }
            if length < 0 {
                if errno == EACCES || errno == EPERM { deniedCount += 1 }
                continue
            }
            if let inode = link.withUnsafeBytes({ Self.socketInode(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }) {
                sockets.append((fd, inode))
            }
        }
        return sockets
    }

    /// Whether fd `fd` of `pid` still refers to socket `inode` (a cheap check of a cached owner).
    public func holds(pid: Int32, fd: Int32, inode: UInt32) -> Bool {
        guard let target = readLink("\(root)/\(pid)/fd/\(fd)") else { return false }
        return target == "socket:[\(inode)]"
    }

    /// The owner uid of /proc/PID: the process's effective uid (a cheap filter before scanning its fds).
    public func ownerUID(of pid: Int32) -> UInt32? {
        var info = stat()
        guard stat("\(root)/\(pid)", &info) == 0 else { return nil }
        return info.st_uid
    }

    /// Boot time in seconds since the epoch (the `btime` line of /proc/stat).
    public func bootTime() -> Int64? {
        guard let text = readText("\(root)/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Int64(line.dropFirst(6).trimmingCharacters(in: " "))
        }
        return nil
    }

    public func readText(_ path: String, limit: Int = 1 << 16) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        var result: [UInt8] = []
        while result.count < limit {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            result.append(contentsOf: bytes[0..<count])
        }
        return String(decoding: result, as: UTF8.self)
    }

    public func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink(path, &buffer, buffer.count)
        guard length >= 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A decimal name (a PID or an fd number) from a NUL-terminated `d_name`.
    static func parsePID(_ name: UnsafeRawBufferPointer) -> Int32? {
        var value: Int32 = 0
        var digits = 0
        for byte in name {
            if byte == 0 { break }
            guard byte >= 48 && byte <= 57, digits < 10 else { return nil }
            value = value &* 10 &+ Int32(byte - 48)
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    /// The inode of a `socket:[12345]` link target, nil for anything else.
    static func socketInode(_ link: UnsafeRawBufferPointer) -> UInt32? {
        let prefix: [UInt8] = Array("socket:[".utf8)
        guard link.count > prefix.count + 1, link.starts(with: prefix), link.last == UInt8(ascii: "]") else { return nil }
        var value: UInt64 = 0
        for byte in link[prefix.count..<(link.count - 1)] {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + UInt64(byte - 48)
            guard value <= UInt64(UInt32.max) else { return nil }
        }
        return UInt32(value)
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var result = self
        while result.first == set { result = result.dropFirst() }
        while result.last == set { result = result.dropLast() }
        return result
    }
}
