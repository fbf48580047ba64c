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

/// procscope's eBPF socket records (C: `CProcscopeLinux/bpf/socket_records.bpf.c`), attached to the root of
/// the cgroup v2 hierarchy through BPF links (detached when procscope exits, however it exits).
///
/// A client that connects, sends and exits within ~150 us is gone before any /proc scan can run; the kernel
/// still runs the release hook in the exiting process, which writes the process's tgid, uid and comm under
/// the socket's cookie into an LRU map; a creation hook writes the creating process under the same cookie.
/// The resolver asks with the cookie sock_diag or a destroy event reported for the flow's socket: the creator
/// is the first candidate owner, and the release names the owner of a socket nobody holds any more. The last
/// reference can be a passing one (a process reading /proc/PID/fd, procscope's own scan, lsof) when the owner
/// exits, so the resolver trusts a release only from the process that created the socket, or, for an
/// accepted connection, from a holder of its listener. Optional: without CAP_BPF/CAP_SYS_ADMIN, cgroup v2 or
/// a 5.9+ kernel procscope falls back to scanning alone.
public final class SocketReleaseRecorder {
    private let object: BPFObject
    private let releases: Int32
    private let creations: Int32

    /// Loads and attaches the recorder at the cgroup v2 root that sees every process (`CgroupHierarchy.hookRoot`).
    public convenience init() throws {
        guard let root = CgroupHierarchy.hookRoot() else { throw KernelHookError.noCgroupV2 }
        try self.init(cgroupRoot: root)
    }

    init(cgroupRoot root: String) throws {
        var size = 0
        let bytes = ps_bpf_object_socket_records(&size)
        object = try BPFObject(named: "socket_records", bytes: UnsafeRawBufferPointer(start: bytes, count: size),
                               programs: ["record_creation", "record_release"])
        releases = try object.map("releases")
        creations = try object.map("creations")
        // Creation first: a socket released later must find its creator recorded.
        try object.attach("record_creation", toCgroup: root)
        try object.attach("record_release", toCgroup: root)
    }

    /// The process that created the socket with this cookie, when its creation was recorded.
    func creator(cookie: UInt64) -> Int32? {
        var key = cookie
        var creation = ps_creator_value()
        guard cookie != 0, BPFObject.lookup(creations, &key, into: &creation) else { return nil }
        return Int32(bitPattern: creation.tgid)
    }

    /// Who held the socket with this cookie when it was released, if it has been, and who created it.
    func lastHolder(cookie: UInt64) -> ReleasedSocket? {
        var key = cookie
        var value = ps_release_value()
        guard cookie != 0, BPFObject.lookup(releases, &key, into: &value) else { return nil }
        let name = withUnsafeBytes(of: value.comm) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let releasedAt = Timestamp(monotonicNanoseconds: value.released_ns)
        return ReleasedSocket(pid: Int32(bitPattern: value.tgid), uid: value.uid, cookie: cookie,
                              releasedAt: releasedAt,
                              creator: value.creator_known != 0 ? Int32(bitPattern: value.creator_tgid) : nil, name: name)
    }
}
