import Glibc
import ProcscopeCore

/// Reads a process's identity (shared/DESIGN.md, "Identity of an owner") from a procfs tree: comm and start
/// time from `stat`, uid from `status`, `exe`, `cmdline`, the network namespace inode and the cgroup.
public struct ProcessIdentityReader: Sendable {
    public let proc: ProcFileSystem
    let bootTime: Int64
    let clockTicksPerSecond: Int64
    let userNames: @Sendable (UInt32) -> String?
    /// Where the container runtimes' state is read (`/`, or a fixture tree).
    let containerNames: ContainerNameReader

    public init(proc: ProcFileSystem, clockTicksPerSecond: Int64 = Int64(sysconf(Int32(_SC_CLK_TCK))),
                userNames: @escaping @Sendable (UInt32) -> String? = UserNames.lookup,
                containerNames: ContainerNameReader = ContainerNameReader()) {
        self.proc = proc
        self.containerNames = containerNames
        self.bootTime = proc.bootTime() ?? 0
        self.clockTicksPerSecond = max(1, clockTicksPerSecond)
        self.userNames = userNames
    }

    /// The identity of `pid`, or nil when the process is gone (or was never there).
    public func identity(of pid: Int32) -> ProcessIdentity? {
        let base = "\(proc.root)/\(pid)"
        guard let stat = proc.readText("\(base)/stat"), let parsed = Self.parseStat(stat) else { return nil }
        let uid = proc.readText("\(base)/status").flatMap(Self.parseUID) ?? proc.ownerUID(of: pid) ?? 0
        let commandLine = proc.readText("\(base)/cmdline").map(Self.parseCommandLine) ?? []
        let executable = proc.readLink("\(base)/exe").map { $0.hasSuffix(" (deleted)") ? String($0.dropLast(10)) : $0 }
        let namespace = proc.readLink("\(base)/ns/net").flatMap(Self.parseNamespaceInode) ?? 0
        let cgroup = proc.readText("\(base)/cgroup").flatMap(Self.parseCgroup)
        let parentName = parsed.parentPID > 0
            ? proc.readText("\(proc.root)/\(parsed.parentPID)/stat").flatMap(Self.parseStat)?.comm : nil
        let workload = CgroupWorkload(path: cgroup)
        return ProcessIdentity(pid: pid, startTime: startTime(ticks: parsed.startTicks), name: parsed.comm,
                               executable: executable, commandLine: commandLine, uid: uid, userName: userNames(uid),
                               networkNamespace: namespace, cgroup: cgroup, parentPID: parsed.parentPID,
                               parentName: parentName,
                               containerNames: workload.container.map(containerNames.names) ?? ContainerNames())
    }

    /// Wall-clock start time from stat's clock ticks since boot.
    public func startTime(ticks: Int64) -> Timestamp {
        Timestamp(microseconds: bootTime * 1_000_000 + ticks * 1_000_000 / clockTicksPerSecond)
    }

    /// The start time of `pid` in clock ticks since boot (field 22 of stat), to tell a reused PID apart.
    public func startTicks(of pid: Int32) -> Int64? {
        proc.readText("\(proc.root)/\(pid)/stat").flatMap(Self.parseStat)?.startTicks
    }

    /// `pid (comm) state ppid ...`: comm may contain spaces and parentheses, so fields are counted after the
    /// last ')'. ppid is field 4 (the 2nd after comm), starttime field 22 (the 20th). Read as bytes: the
    /// worker checks a start time for every lookup (a reused PID), and splitting the line into substrings was
    /// a tenth of its time under connection churn.
    static func parseStat(_ text: String) -> (comm: String, startTicks: Int64, parentPID: Int32)? {
        var text = text
        return text.withUTF8 { bytes -> (comm: String, startTicks: Int64, parentPID: Int32)? in
            guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
                  let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close else { return nil }
            var parentPID: Int32 = 0
            var startTicks: Int64?
            var field = 0
            var i = close + 1
            while i < bytes.count, startTicks == nil {
                while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: " ") { i += 1 }
                guard start < i else { break }
                field += 1
                if field == 2 { parentPID = Int32(clamping: Self.decimal(bytes[start..<i]) ?? 0) }
                if field == 20 {
                    guard let ticks = Self.decimal(bytes[start..<i]) else { return nil }
                    startTicks = ticks
                }
            }
            guard let startTicks else { return nil }
            let comm = String(decoding: UnsafeBufferPointer(rebasing: bytes[(open + 1)..<close]), as: UTF8.self)
            return (comm, startTicks, parentPID)
        }
    }

    /// An unsigned decimal field (what stat's numbers are), nil for anything else or past Int64.
    private static func decimal(_ digits: Slice<UnsafeBufferPointer<UInt8>>) -> Int64? {
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static let uidLabel = Array("\nUid:".utf8)

    /// The real uid from the `Uid:` line of status.
    /// Read as bytes: splitting the whole file (some 55 lines) into substrings took longer than the kernel
    /// took to write it (a new process's identity read spent 74 us on status, 26 of them the read itself,
    /// measured), and an identity is read at every exec on the host.
    static func parseUID(_ text: String) -> UInt32? {
        var text = text
        return text.withUTF8 { bytes -> UInt32? in
            var start = 0
            while start + uidLabel.count <= bytes.count
                    && !uidLabel.indices.allSatisfy({ bytes[start + $0] == uidLabel[$0] }) {
                start += 1
            }
            guard start + uidLabel.count <= bytes.count else { return nil }
            var i = start + uidLabel.count
            while i < bytes.count, bytes[i] == 0x09 || bytes[i] == 0x20 { i += 1 }
            var value: UInt64 = 0, digits = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, digits < 10 {
                value = value * 10 + UInt64(bytes[i] - 0x30)
                digits += 1
                i += 1
            }
            guard digits > 0, value <= UInt64(UInt32.max) else { return nil }
            return UInt32(value)
        }
    }

    /// NUL-separated arguments; a trailing NUL does not make an empty argument.
    static func parseCommandLine(_ text: String) -> [String] {
        var parts = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// `net:[4026531840]` -> 4026531840.
    static func parseNamespaceInode(_ link: String) -> UInt64? {
        guard let open = link.firstIndex(of: "["), link.hasSuffix("]") else { return nil }
        return UInt64(link[link.index(after: open)..<link.index(before: link.endIndex)])
    }

    /// The cgroup v2 path (`0::/path`) when it is not the root cgroup.
    /// The cgroup path that names the process's workload: the unified (v2) one; on a hybrid host where that
    /// is the root (docker's cgroupfs driver places containers in the v1 hierarchies only), systemd's v1
    /// hierarchy (`name=systemd`), else the first other non-root v1 path.
    static func parseCgroup(_ text: String) -> String? {
        var systemd: String?, other: String?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = String(fields[2])
            guard path != "/" && !path.isEmpty else { continue }
            if fields[0] == "0" && fields[1].isEmpty { return path }
            if fields[1] == "name=systemd" { systemd = systemd ?? path } else { other = other ?? path }
        }
        return systemd ?? other
    }
}

/// User names by uid (getpwuid_r), cached.
public enum UserNames {
    private static let cache = Cache()

    @Sendable public static func lookup(_ uid: UInt32) -> String? {
        cache.name(uid)
    }

    private final class Cache: @unchecked Sendable {
        // Guarded by `lock`: identity reads happen on the attribution worker, but the cache is process-wide.
        private var names: [UInt32: String?] = [:]
        private var lock = pthread_mutex_t()

        init() { pthread_mutex_init(&lock, nil) }

        func name(_ uid: UInt32) -> String? {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            if let cached = names[uid] { return cached }
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            var buffer = [CChar](repeating: 0, count: 4096)
            let name: String? = getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0 && result != nil
                ? String(cString: entry.pw_name) : nil
            names[uid] = name
            return name
        }
    }
}
