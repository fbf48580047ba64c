/// Which owners' traffic to keep in every output (`--pid`, `--comm`, `--user`, `--netns`, `--container`,
/// `--unit`, `--unknown-only`). Empty criteria keep everything; several values of one criterion are alternatives;
/// different criteria must all match.
public struct OwnerFilter: Sendable, Equatable {
    public var pids: [Int32] = []
    /// Program names (comm), exactly.
    public var names: [String] = []
    /// User names or numeric uids.
    public var users: [String] = []
    public var namespaces: [UInt64] = []
    /// Containers: a name the runtime gave, the start of an id (as docker shortens them), or a part of the
    /// cgroup path.
    public var containers: [String] = []
    /// systemd units, by name (`nginx.service`, or `nginx` for it).
    public var units: [String] = []
    /// Keep only what could not be attributed.
    public var unknownOnly = false

    public init(pids: [Int32] = [], names: [String] = [], users: [String] = [], namespaces: [UInt64] = [],
                containers: [String] = [], units: [String] = [], unknownOnly: Bool = false) {
        self.pids = pids
        self.names = names
        self.users = users
        self.namespaces = namespaces
        self.containers = containers
        self.units = units
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
            && (containers.isEmpty || containers.contains { Self.container($0, matches: identity) })
            && (units.isEmpty || identity.workload.unit.map { unit in
                units.contains { $0 == unit || "\($0).service" == unit } } == true)
    }

    private static func container(_ wanted: String, matches identity: ProcessIdentity) -> Bool {
        guard !wanted.isEmpty else { return false }
        if identity.containerNames.container == wanted { return true }
        if identity.workload.container?.id.hasPrefix(wanted) == true { return true }
        return identity.cgroup?.contains(wanted) == true
    }

    /// Whether unattributed traffic is kept: with no owner criterion, or with `--unknown-only`.
    public var keepsUnknown: Bool {
        unknownOnly || (pids.isEmpty && names.isEmpty && users.isEmpty && namespaces.isEmpty && containers.isEmpty
                        && units.isEmpty)
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
