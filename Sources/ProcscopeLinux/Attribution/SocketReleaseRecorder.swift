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
    /// The process that created the socket; nil when the creation was not recorded (a connection accepted
    /// from a listener is created by the kernel, and sockets older than procscope's hooks).
    let creator: Int32?
    /// The releasing task's name (comm), at most 15 bytes.
    let name: String
}

/// procscope's eBPF socket-release recorder (C edge: `socket_release_recorder.c`), attached to the root of
/// the cgroup v2 hierarchy through BPF links (detached when procscope exits, however it exits).
///
/// A client that connects, sends and exits within ~150 us is gone before any /proc scan can run; the kernel
/// still runs the release hook in the exiting process, which writes the process's tgid, uid and comm under
/// the socket's cookie into an LRU map; a creation hook writes the creating process under the same cookie.
/// The resolver asks, with the cookie sock_diag or a destroy event reported for the flow's socket, when the
/// scan finds no holder. The last reference can be a passing one (a process reading /proc/PID/fd,
/// procscope's own scan, lsof) when the owner exits, so the resolver trusts a release only from the process
/// that created the socket, or, for an accepted connection, from a holder of its listener. Optional:
/// without CAP_BPF/CAP_SYS_ADMIN, cgroup v2 or a 5.9+ kernel procscope falls back to scanning alone.
public final class SocketReleaseRecorder {
    private let releases: Int32
    private let creations: Int32
    /// Programs and links, closed in `deinit` (closing a link detaches its program).
    private var descriptors: [Int32] = []

    /// Loads and attaches the recorder at the cgroup v2 root that sees every process (`CgroupHierarchy.hookRoot`).
    public convenience init() throws {
        guard let root = CgroupHierarchy.hookRoot() else { throw KernelHookError.noCgroupV2 }
        try self.init(cgroupRoot: root)
    }

    init(cgroupRoot root: String) throws {
        releases = ps_release_map_create(1 << 16)
        creations = ps_creator_map_create(1 << 16)
        descriptors = [releases, creations].filter { $0 >= 0 }
        guard releases >= 0, creations >= 0 else {
            throw KernelHookError.kernel(step: "bpf(BPF_MAP_CREATE)", errno: errno, log: "")
        }
        // Creation first: a socket released later must find its creator recorded.
        try attach(root: root, hook: "cgroup/sock_create", at: PS_HOOK_SOCK_CREATE) {
            ps_creator_program_load(creations, $0, $1)
        }
        try attach(root: root, hook: "cgroup/sock_release", at: PS_HOOK_SOCK_RELEASE) {
            ps_release_program_load(releases, $0, $1)
        }
    }

    private func attach(root: String, hook: String, at point: ps_cgroup_hook,
                        load: (UnsafeMutablePointer<CChar>, UInt32) -> Int32) throws {
        let program = try KernelHookError.loadProgram(hook: hook, load)
        descriptors.append(program)
        descriptors.append(try KernelHookError.attach(program, to: root, at: point, named: hook))
    }

    deinit {
        for descriptor in descriptors.reversed() { close(descriptor) }
    }

    /// The process that created the socket with this cookie, when its creation was recorded.
    func creator(cookie: UInt64) -> Int32? {
        var creation = ps_creator_value()
        guard cookie != 0, ps_cookie_map_lookup(creations, cookie, &creation) == 0 else { return nil }
        return Int32(bitPattern: creation.tgid)
    }

    /// Who held the socket with this cookie when it was released, if it has been, and who created it.
    func lastHolder(cookie: UInt64) -> ReleasedSocket? {
        var value = ps_release_value()
        guard cookie != 0, ps_cookie_map_lookup(releases, cookie, &value) == 0 else { return nil }
        let name = withUnsafeBytes(of: value.comm) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let releasedAt = Timestamp(monotonicNanoseconds: value.released_ns)
        return ReleasedSocket(pid: Int32(bitPattern: value.tgid), uid: value.uid, cookie: cookie,
                              releasedAt: releasedAt, creator: creator(cookie: cookie), name: name)
    }
}
