/// Who owns a socket (a JSON contract). `pid` with `startTime` identifies a process uniquely: a reused PID
/// has a different start time, so it is never confused with the earlier process.
public struct ProcessIdentity: Hashable, Sendable {
    public var pid: Int32
    /// When the process started (from /proc/PID/stat starttime and the boot time).
    public var startTime: Timestamp
    /// The kernel's task name (/proc/PID/comm), at most 15 bytes.
    public var name: String
    public var executable: String?
    public var commandLine: [String]
    public var uid: UInt32
    public var userName: String?
    /// Inode of the process's network namespace (/proc/PID/ns/net).
    public var networkNamespace: UInt64
    /// The cgroup v2 path when it is not the root cgroup: a container's or a systemd unit's.
    public var container: String?

    public init(pid: Int32, startTime: Timestamp, name: String, executable: String?, commandLine: [String],
                uid: UInt32, userName: String?, networkNamespace: UInt64, container: String?) {
        self.pid = pid
        self.startTime = startTime
        self.name = name
        self.executable = executable
        self.commandLine = commandLine
        self.uid = uid
        self.userName = userName
        self.networkNamespace = networkNamespace
        self.container = container
    }

    /// The key that distinguishes processes: PID plus start time.
    public var processKey: ProcessKey { ProcessKey(pid: pid, startTime: startTime) }
}

/// A process's unique key: a PID is reused, a (PID, start time) pair is not.
public struct ProcessKey: Hashable, Sendable {
    public var pid: Int32
    public var startTime: Timestamp

    public init(pid: Int32, startTime: Timestamp) {
        self.pid = pid
        self.startTime = startTime
    }
}
