/// Which owners' traffic to keep in every output (`--pid`, `--comm`, `--user`, `--netns`, `--container`,
/// `--unknown-only`). Empty criteria keep everything; several values of one criterion are alternatives;
/// different criteria must all match.
public struct OwnerFilter: Sendable, Equatable {
    public var pids: [Int32] = []
    /// Program names (comm), exactly.
    public var names: [String] = []
    /// User names or numeric uids.
    public var users: [String] = []
    public var namespaces: [UInt64] = []
    /// Substrings of the cgroup path (a container id, a systemd unit).
    public var containers: [String] = []
    /// Keep only what could not be attributed.
    public var unknownOnly = false

    public init(pids: [Int32] = [], names: [String] = [], users: [String] = [], namespaces: [UInt64] = [],
                containers: [String] = [], unknownOnly: Bool = false) {
        self.pids = pids
        self.names = names
        self.users = users
        self.namespaces = namespaces
        self.containers = containers
        self.unknownOnly = unknownOnly
    }

    public var isEmpty: Bool { self == OwnerFilter() }

    /// Whether a process's traffic is kept.
    public func keeps(_ identity: ProcessIdentity) -> Bool {
        guard !unknownOnly else { return false }
        return (pids.isEmpty || pids.contains(identity.pid))
            && (names.isEmpty || names.contains(identity.name))
            && (users.isEmpty || users.contains { $0 == String(identity.uid) || $0 == identity.userName })
            && (namespaces.isEmpty || namespaces.contains(identity.networkNamespace))
            && (containers.isEmpty || containers.contains { identity.container?.contains($0) == true })
    }

    /// Whether unattributed traffic is kept: with no owner criterion, or with `--unknown-only`.
    public var keepsUnknown: Bool {
        unknownOnly || (pids.isEmpty && names.isEmpty && users.isEmpty && namespaces.isEmpty && containers.isEmpty)
    }
}

extension CaptureReport {
    /// The report with only the kept owners' processes (and `<Unknown>` only when the filter keeps it).
    public func filtered(by filter: OwnerFilter) -> CaptureReport {
        guard !filter.isEmpty else { return self }
        var copy = self
        copy.processes = processes.filter { filter.keeps($0.identity) }
        if !filter.keepsUnknown { copy.unknown = UnknownEntry() }
        return copy
    }
}
