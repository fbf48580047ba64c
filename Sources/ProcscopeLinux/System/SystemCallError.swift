import Glibc
import ProcscopeCore

/// A failed system call: which call, on what, and errno. Its message says what the user can do.
public struct SystemCallError: Error, CustomStringConvertible, Equatable {
    public let call: String
    public let errno: Int32
    public let subject: String?

    public init(call: String, errno: Int32, subject: String? = nil) {
        self.call = call
        self.errno = errno
        self.subject = subject
    }

    public var isPermissionDenied: Bool { errno == EPERM || errno == EACCES }

    public var description: String {
        let what = subject.map { " (\($0))" } ?? ""
        var text = "\(call)\(what) failed: \(String(cString: strerror(errno)))"
        if isPermissionDenied {
            text += ". " + Privileges.hint
        }
        return text
    }
}

/// The capabilities procscope needs, and how to grant them, in one place.
public enum Privileges {
    public static let hint = "procscope needs cap_net_raw and cap_net_admin to capture and query sockets, "
        + "cap_sys_ptrace and cap_dac_read_search to read other users' /proc/PID/fd, and cap_bpf with cap_perfmon "
        + "to record the owners of sockets that close before they are looked up: run it with sudo, or grant them "
        + "once with: sudo setcap cap_net_raw,cap_net_admin,cap_sys_ptrace,cap_dac_read_search,cap_bpf,cap_perfmon+eip "
        + "\"$(command -v procscope)\""
}

/// Runs a system call, retrying on EINTR; a negative result throws `SystemCallError` naming the call.
@discardableResult
func retryingSystemCall<T: BinaryInteger>(_ name: String, subject: String? = nil, _ body: () -> T) throws -> T {
    while true {
        let result = body()
        if result >= 0 { return result }
        let error = errno
        if error == EINTR { continue }
        throw SystemCallError(call: name, errno: error, subject: subject)
    }
}

/// The wall clock as a `Timestamp` (CLOCK_REALTIME, the clock pcap timestamps use).
public func wallClockNow() -> Timestamp {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Timestamp(seconds: Int64(now.tv_sec), microseconds: Int64(now.tv_nsec / 1000))
}
