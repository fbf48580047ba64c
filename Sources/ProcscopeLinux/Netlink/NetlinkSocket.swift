import CProcscopeLinux
import Glibc

/// The raw netlink sockets procscope listens on for kernel notifications (rtnetlink address changes,
/// ctnetlink connection events, the proc connector): opened non-blocking, bound to multicast groups, and read
/// datagram by datagram until nothing is waiting.
enum NetlinkSocket {
    /// socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, `family`) bound to `groups` (a bind() group
    /// mask; 0 for a socket that only sends requests). `name` says which subscription in an error.
    static func open(_ family: Int32, groups: UInt32, name: String) throws -> Int32 {
        let fd = try retryingSystemCall("socket(AF_NETLINK, \(name))") {
            socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                   family)
        }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = groups
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
        }
        guard bound == 0 else {
            let error = SystemCallError(call: "bind(\(name))", errno: errno)
            close(fd)
            throw error
        }
        return fd
    }

    /// Calls `body` with each datagram waiting on the non-blocking `fd`, read into `buffer`. Returns whether
    /// the socket overran (ENOBUFS: the kernel dropped notifications), which does not end the reading.
    @discardableResult
    static func drain(_ fd: Int32, buffer: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var overran = false
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received < 0 {
                if errno == EINTR { continue }
                if errno == ENOBUFS { overran = true; continue }
                return overran
            }
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<received])) }
        }
    }
}
