import CProcscopeLinux
import Glibc

/// Interface addresses added or removed in procscope's network namespace (rtnetlink RTMGRP_IPV4_IFADDR and
/// RTMGRP_IPV6_IFADDR), as a pollable descriptor: an address that appears during a capture (DHCP, a VPN
/// coming up, `ip addr add`) must count as local from its first frame, not make that flow `not-local`.
public final class AddressChangeWatcher {
    public let descriptor: Int32

    public init() throws {
        descriptor = try retryingSystemCall("socket(AF_NETLINK, NETLINK_ROUTE)") {
            socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                   NETLINK_ROUTE)
        }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = UInt32(RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        if bound != 0 {
            let error = SystemCallError(call: "bind(NETLINK_ROUTE, address groups)", errno: errno)
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// Reads every waiting notification: true when an address changed since the last call (an overrun
    /// buffer, ENOBUFS, counts as a change: some were lost).
    public func drain() -> Bool {
        var changed = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received > 0 { changed = true; continue }
            if received < 0 && errno == ENOBUFS { changed = true; continue }
            return changed
        }
    }
}
