/// Where the cgroup v2 hierarchy is mounted (/sys/fs/cgroup on unified systems, /sys/fs/cgroup/unified on
/// hybrid ones), from a mountinfo text; the kernel hooks procscope attaches there see every process.
enum CgroupHierarchy {
    static func v2MountPoint(mountInfo: String) -> String? {
        for line in mountInfo.split(separator: "\n") {
            // "36 25 0:31 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw": the type follows " - ".
            guard let dash = line.range(of: " - ") else { continue }
            let after = line[dash.upperBound...].split(separator: " ")
            let before = line[..<dash.lowerBound].split(separator: " ")
            if after.first == "cgroup2", before.count >= 5 { return String(before[4]) }
        }
        return nil
    }

    /// The cgroup v2 root procscope's kernel hooks attach to: the one procscope's mount namespace shows, else
    /// the host's, reached through kthreadd's root (`ip netns exec` remounts /sys without the cgroup mounts).
    static func hookRoot(proc: ProcFileSystem = ProcFileSystem()) -> String? {
        for (mountInfo, prefix) in [("/proc/self/mountinfo", ""), ("/proc/2/mountinfo", "/proc/2/root")] {
            if let text = proc.readText(mountInfo), let root = v2MountPoint(mountInfo: text) { return prefix + root }
        }
        return nil
    }
}
