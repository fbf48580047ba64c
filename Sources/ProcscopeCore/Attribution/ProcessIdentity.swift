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
    /// The cgroup path when it is not the root cgroup: a container's or a systemd unit's (`workload` reads it).
    public var cgroup: String?
    /// The parent process when the identity was read (0: unknown), and its task name.
    public var parentPID: Int32
    public var parentName: String?
    /// What the container runtime calls the process's container and pod, where its state was readable.
    public var containerNames: ContainerNames

    public init(pid: Int32, startTime: Timestamp, name: String, executable: String?, commandLine: [String],
                uid: UInt32, userName: String?, networkNamespace: UInt64, cgroup: String?, parentPID: Int32 = 0,
                parentName: String? = nil, containerNames: ContainerNames = ContainerNames()) {
        self.pid = pid
        self.startTime = startTime
        self.name = name
        self.executable = executable
        self.commandLine = commandLine
        self.uid = uid
        self.userName = userName
        self.networkNamespace = networkNamespace
        self.cgroup = cgroup
        self.parentPID = parentPID
        self.parentName = parentName
        self.containerNames = containerNames
    }

    /// The container and systemd unit its cgroup names.
    public var workload: CgroupWorkload { CgroupWorkload(path: cgroup) }

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

/// The names a container runtime gave a process's container and pod (the ids are in its cgroup path).
public struct ContainerNames: Hashable, Sendable {
    /// The container's name (`docker run --name`, the Kubernetes container's name).
    public var container: String?
    /// The Kubernetes pod's name and namespace.
    public var pod: String?
    public var namespace: String?

    public init(container: String? = nil, pod: String? = nil, namespace: String? = nil) {
        self.container = container
        self.pod = pod
        self.namespace = namespace
    }

    public var isEmpty: Bool { container == nil && pod == nil && namespace == nil }
}
