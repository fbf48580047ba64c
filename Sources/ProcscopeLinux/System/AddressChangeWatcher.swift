import CProcscopeLinux
import Glibc

/// Interface addresses added or removed in procscope's network namespace (rtnetlink RTMGRP_IPV4_IFADDR and
/// RTMGRP_IPV6_IFADDR), as a pollable descriptor: an address that appears during a capture (DHCP, a VPN
/// coming up, `ip addr add`) must count as local from its first frame, not make that flow `not-local`.
public final class AddressChangeWatcher {
    public let descriptor: Int32
    /// Kept: the capture loop calls `drain` often.
    private var buffer = [UInt8](repeating: 0, count: 8192)

    public init() throws {
        descriptor = try NetlinkSocket.open(NETLINK_ROUTE, groups: UInt32(RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR),
                                            name: "NETLINK_ROUTE, address groups")
    }

    deinit { close(descriptor) }

    /// Reads every waiting notification: true when an address changed since the last call (an overrun
    /// buffer, ENOBUFS, counts as a change: some were lost).
    public func drain() -> Bool {
        var changed = false
        let overran = NetlinkSocket.drain(descriptor, buffer: &buffer) { _ in changed = true }
        return changed || overran
    }
}
