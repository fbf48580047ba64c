import Foundation
import ProcscopeCore
import Synchronization

/// The names container runtimes gave a container and its pod, read from the runtimes' own state (the ids
/// come from the cgroup path, `CgroupWorkload`). Each source is optional: what is not readable (no such
/// runtime here, no permission) stays nil, and the id still names the container.
///
/// - docker: `/var/lib/docker/containers/<id>/config.v2.json`, its `Name` ("/web" is "web")
/// - podman: `/var/lib/containers/storage/overlay-containers/containers.json`, the entry's `names`
/// - Kubernetes (any runtime): the kubelet's log directories, `/var/log/pods/<namespace>_<pod>_<uid>` for the
///   pod, and `/var/log/containers/<pod>_<namespace>_<container>-<id>.log` for the container's name
///
/// Names found are kept per container (a container's processes share them, and podman's state file lists
/// every container): each container's state is read until its names are found, then not again. A rename
/// during the capture is not seen.
public struct ContainerNameReader: Sendable {
    /// `/`, or the root of a fixture tree.
    public let root: String
    private let found = FoundNames()

    public init(root: String = "/") {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    public func names(_ container: CgroupWorkload.Container) -> ContainerNames {
        if let known = found.names.withLock({ $0.value(for: container.id) }) { return known }
        let names = read(container)
        if !names.isEmpty { found.names.withLock { $0.set(names, for: container.id) } }
        return names
    }

    private func read(_ container: CgroupWorkload.Container) -> ContainerNames {
        var names = ContainerNames()
        switch container.runtime {
        case "docker":
            names.container = dockerName(id: container.id)
        case "podman":
            names.container = podmanName(id: container.id)
        default:
            break
        }
        if let uid = container.podUID {
            if let pod = kubeletPod(uid: uid) { (names.namespace, names.pod) = (pod.namespace, pod.name) }
            names.container = names.container ?? kubeletContainerName(id: container.id)
        }
        return names
    }

    func dockerName(id: String) -> String? {
        guard let object = json("\(root)/var/lib/docker/containers/\(id)/config.v2.json") as? [String: Any],
              let name = object["Name"] as? String else { return nil }
        let trimmed = name.hasPrefix("/") ? String(name.dropFirst()) : name
        return trimmed.isEmpty ? nil : trimmed
    }

    func podmanName(id: String) -> String? {
        guard let entries = json("\(root)/var/lib/containers/storage/overlay-containers/containers.json") as? [[String: Any]]
        else { return nil }
        return entries.first { $0["id"] as? String == id }.flatMap { ($0["names"] as? [String])?.first }
    }

    /// `<namespace>_<pod>_<uid>`: neither a namespace nor a pod name holds an underscore (DNS labels).
    func kubeletPod(uid: String) -> (namespace: String, name: String)? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/var/log/pods")) ?? []
        for entry in entries where entry.hasSuffix("_\(uid)") {
            let parts = entry.split(separator: "_")
            if parts.count == 3 { return (String(parts[0]), String(parts[1])) }
        }
        return nil
    }

    /// `<pod>_<namespace>_<container>-<id>.log`.
    func kubeletContainerName(id: String) -> String? {
        let suffix = "-\(id).log"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/var/log/containers")) ?? []
        for entry in entries where entry.hasSuffix(suffix) {
            let parts = entry.dropLast(suffix.count).split(separator: "_")
            if parts.count == 3, !parts[2].isEmpty { return String(parts[2]) }
        }
        return nil
    }

    /// A runtime's JSON state file (at most 16 MiB: podman's lists every container).
    private func json(_ path: String) -> Any? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: 16 << 20) else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }
}

/// The names found so far, by container id, shared by the copies of a reader (identities are read on the
/// attribution worker and the process table's snapshots).
private final class FoundNames: Sendable {
    let names = Mutex(GenerationalCache<String, ContainerNames>(generationLimit: 4096))
}
