import CProcscopeLinux
import Glibc
import ProcscopeCore

/// Who held a socket when it was released, as the kernel recorded it (see `SocketReleaseRecorder`).
struct ReleasedSocket: Equatable {
    let pid: Int32
    let uid: UInt32
    let cookie: UInt64
    /// When it was released, on the wall clock.
    let releasedAt: Timestamp
    /// The releasing task's name (comm), at most 15 bytes.
    let name: String
}

/// procscope's eBPF socket-release recorder (C edge: `socket_release_recorder.c`), attached to the root of
/// the cgroup v2 hierarchy through a BPF link (detached when procscope exits, however it exits).
///
/// A client that connects, sends and exits within ~150 us is gone before any /proc scan can run; the kernel
/// still runs the release hook in the exiting process, which writes the process's tgid, uid and comm under
/// the socket's cookie into an LRU map. The resolver asks the map, with the cookie sock_diag reported for
/// the flow's socket, when the scan finds no holder. Optional:
/// without CAP_BPF/CAP_SYS_ADMIN, cgroup v2 or a 5.9+ kernel procscope falls back to scanning alone.
public final class SocketReleaseRecorder {
    private let map: Int32
    private let program: Int32
    private let link: Int32
    enum SetupError: Error, CustomStringConvertible {
        case noCgroupV2
        case kernel(step: String, errno: Int32, log: String)

        var description: String {
            switch self {
            case .noCgroupV2:
                return "no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup/unified)"
            case .kernel(let step, let errno, let log):
                let reason = String(cString: strerror(errno))
                let hint = errno == EPERM ? " (needs cap_bpf and cap_net_admin, or root)" : ""
                return "\(step) failed: \(reason)\(hint)" + (log.isEmpty ? "" : "; verifier: \(log.suffix(300))")
            }
        }
    }

    /// Loads and attaches the recorder at the cgroup v2 root: the one procscope's mount namespace shows, else
    /// the host's, reached through kthreadd's root (`ip netns exec` remounts /sys without the cgroup mounts).
    public convenience init() throws {
        let proc = ProcFileSystem()
        for (mountInfo, prefix) in [("/proc/self/mountinfo", ""), ("/proc/2/mountinfo", "/proc/2/root")] {
            if let text = proc.readText(mountInfo), let root = CgroupHierarchy.v2MountPoint(mountInfo: text) {
                try self.init(cgroupRoot: prefix + root)
                return
            }
        }
        throw SetupError.noCgroupV2
    }

    init(cgroupRoot root: String) throws {
        map = ps_release_map_create(1 << 16)
        guard map >= 0 else { throw SetupError.kernel(step: "bpf(BPF_MAP_CREATE)", errno: errno, log: "") }
        var log = [CChar](repeating: 0, count: 16 * 1024)
        program = ps_release_program_load(map, &log, UInt32(log.count))
        guard program >= 0 else {
            let error = errno
            close(map)
            throw SetupError.kernel(step: "bpf(BPF_PROG_LOAD, cgroup/sock_release)", errno: error,
                                    log: log.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        let cgroup = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        link = cgroup >= 0 ? ps_release_program_attach(program, cgroup) : -1
        let error = errno
        if cgroup >= 0 { close(cgroup) }
        guard link >= 0 else {
            close(program)
            close(map)
            throw SetupError.kernel(step: "bpf(BPF_LINK_CREATE) on \(root)", errno: error, log: "")
        }
    }

    deinit {
        close(link)
        close(program)
        close(map)
    }

    /// Who held the socket with this cookie when it was released, if it has been.
    func lastHolder(cookie: UInt64) -> ReleasedSocket? {
        var value = ps_release_value()
        guard cookie != 0, ps_release_map_lookup(map, cookie, &value) == 0 else { return nil }
        let name = withUnsafeBytes(of: value.comm) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        // The map stamps CLOCK_MONOTONIC; frames carry the wall clock. Convert through "now" on both clocks.
        var monotonic = timespec()
        clock_gettime(CLOCK_MONOTONIC, &monotonic)
        let nowNs = Int64(monotonic.tv_sec) * 1_000_000_000 + Int64(monotonic.tv_nsec)
        let agoMicros = (nowNs - Int64(bitPattern: value.released_ns)) / 1000
        let releasedAt = Timestamp(microseconds: wallClockNow().microseconds - agoMicros)
        return ReleasedSocket(pid: Int32(bitPattern: value.tgid), uid: value.uid, cookie: cookie,
                              releasedAt: releasedAt, name: name)
    }
}
