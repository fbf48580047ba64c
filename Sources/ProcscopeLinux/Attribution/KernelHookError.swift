import CProcscopeLinux
import Glibc

/// Why one of procscope's eBPF hooks (socket-release recorder, first-send recorder) could not be set up:
/// procscope then runs without it and says what the user loses.
enum KernelHookError: Error, CustomStringConvertible {
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

    /// Loads a program with a C loader that takes a verifier log buffer: its fd, or the error with the log.
    static func loadProgram(hook: String, _ load: (UnsafeMutablePointer<CChar>, UInt32) -> Int32) throws -> Int32 {
        var log = [CChar](repeating: 0, count: 16 * 1024)
        let program = log.withUnsafeMutableBufferPointer { load($0.baseAddress!, UInt32($0.count)) }
        guard program >= 0 else {
            throw KernelHookError.kernel(step: "bpf(BPF_PROG_LOAD, \(hook))", errno: errno,
                                         log: log.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return program
    }

    /// Links `program` at `hook` of the cgroup v2 directory `root`: the link's fd (closing it detaches).
    static func attach(_ program: Int32, to root: String, at hook: ps_cgroup_hook, named name: String) throws -> Int32 {
        let cgroup = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard cgroup >= 0 else { throw KernelHookError.kernel(step: "open(\(root))", errno: errno, log: "") }
        defer { close(cgroup) }
        let link = ps_cgroup_program_attach(program, cgroup, hook)
        guard link >= 0 else {
            throw KernelHookError.kernel(step: "bpf(BPF_LINK_CREATE, \(name)) on \(root)", errno: errno, log: "")
        }
        return link
    }
}
