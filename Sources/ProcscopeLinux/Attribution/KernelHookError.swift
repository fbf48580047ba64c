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
            let hint = errno == EPERM
                ? " (needs cap_bpf and cap_net_admin: run with sudo, or see the README's setcap line)"
                // Without CAP_PERFMON the verifier refuses helpers such as bpf_get_current_comm, with EINVAL.
                : errno == EINVAL && geteuid() != 0
                ? " (needs cap_perfmon besides cap_bpf: see the README's setcap line)" : ""
            return "\(step) failed: \(reason)\(hint)" + (log.isEmpty ? "" : "; verifier: \(log.suffix(300))")
        }
    }
}
