/// What a process's cgroup path says it belongs to: a container (which runtime, its id, its Kubernetes pod)
/// and a systemd unit. Read from the path alone, as the runtimes and systemd name their cgroups:
///
/// - docker: `docker-<id>.scope` (systemd driver), `/docker/<id>` (cgroupfs driver)
/// - containerd under Kubernetes: `cri-containerd-<id>.scope`; CRI-O: `crio-<id>.scope`
/// - podman: `libpod-<id>.scope` (also under a user's `user@UID.service`)
/// - Kubernetes pods: `kubepods-<qos>-pod<uid>.slice` (the uid with `_` for `-`), `/kubepods/<qos>/pod<uid>/<id>`
/// - systemd: the deepest `.service` or `.scope` that is not a container's (`nginx.service`, `session-3.scope`,
///   a user's `syncthing.service` under `user@1000.service`)
///
/// Runtimes' helper processes (`libpod-conmon-<id>.scope`, `crio-conmon-<id>.scope`) are not the container.
/// The names people gave (the container's, the pod's) are not in the path: the Linux layer reads them from
/// the runtimes' state (`ContainerNames`).
public struct CgroupWorkload: Equatable, Sendable {
    public struct Container: Equatable, Sendable {
        /// `docker`, `containerd`, `cri-o`, `podman`, or `kubernetes` (a pod's container whose runtime the
        /// path does not name: the cgroupfs driver).
        public var runtime: String
        /// The runtime's full container id (64 hex digits).
        public var id: String
        /// The Kubernetes pod's uid, when the container is a pod's.
        public var podUID: String?
    }

    public var container: Container?
    public var unit: String?

    public init(container: Container? = nil, unit: String? = nil) {
        self.container = container
        self.unit = unit
    }

    /// The workload of a cgroup path (nil path: the root cgroup, nothing).
    public init(path: String?) {
        guard let path else { return }
        let components = path.split(separator: "/").map(String.init)
        var podUID: String?
        var container: Container?
        for (index, component) in components.enumerated() {
            if let uid = Self.podUID(component) { podUID = uid }
            if let found = Self.scopeContainer(component) {
                container = found
            } else if component == "docker" || component == "kubepods" || components.prefix(index).contains("kubepods"),
                      index + 1 < components.count, Self.isContainerID(components[index + 1]), container == nil {
                let runtime = component == "docker" ? "docker" : "kubernetes"
                container = Container(runtime: runtime, id: components[index + 1])
            }
        }
        container?.podUID = podUID
        self.container = container
        unit = components.last { component in
            (component.hasSuffix(".service") || component.hasSuffix(".scope"))
                && Self.scopeContainer(component) == nil && !Self.isRuntimeHelper(component)
        }
        // A container inside a service (podman under user@1000.service) belongs to the container, not the unit.
        if container != nil, let unit, unit.hasPrefix("user@") { self.unit = nil }
    }

    /// `docker-<id>.scope`, `cri-containerd-<id>.scope`, `crio-<id>.scope`, `libpod-<id>.scope`.
    static func scopeContainer(_ component: String) -> Container? {
        guard component.hasSuffix(".scope") else { return nil }
        let name = component.dropLast(".scope".count)
        for (prefix, runtime) in [("docker-", "docker"), ("cri-containerd-", "containerd"), ("crio-", "cri-o"),
                                  ("libpod-", "podman")] where name.hasPrefix(prefix) {
            let id = String(name.dropFirst(prefix.count))
            if isContainerID(id) { return Container(runtime: runtime, id: id) }
        }
        return nil
    }

    /// `kubepods-burstable-pod1234_5678....slice` or `pod1234-5678-...`: the pod's uid, with dashes.
    static func podUID(_ component: String) -> String? {
        var name = Substring(component)
        if name.hasSuffix(".slice") { name = name.dropLast(".slice".count) }
        guard name.count >= 39, name.dropLast(36).hasSuffix("pod") else { return nil }
        let uid = String(name.suffix(36).map { $0 == "_" ? "-" : $0 })
        let before = name.dropLast(39)
        let isUID = uid.allSatisfy { $0.isHexDigit || $0 == "-" } && uid.filter { $0 == "-" }.count == 4
            && (before.isEmpty || before.hasPrefix("kubepods"))
        return isUID ? uid : nil
    }

    static func isContainerID(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func isRuntimeHelper(_ scope: String) -> Bool {
        scope.hasPrefix("libpod-conmon-") || scope.hasPrefix("crio-conmon-")
    }
}
