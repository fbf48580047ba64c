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
}
