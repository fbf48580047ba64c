import Glibc
import CProcscopeLinux
import ProcscopeCore

/// The connections this network namespace translates, from the kernel's connection tracking (ctnetlink over
/// NETLINK_NETFILTER): a dump of the table at start, then its NEW and DESTROY events as a pollable
/// descriptor. A connection's NEW event is sent when its first packet is confirmed, after NAT chose the
/// translation and before that packet reaches the capture on the way out, so the capture loop, which reads
/// these events before each batch of frames, knows a masqueraded flow by its first translated frame.
///
/// Needs cap_net_admin; optional (without it NAT'd traffic is counted on both sides of the translation).
public final class ConntrackWatcher {
    public let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    /// NFNLGRP_CONNTRACK_NEW (1) and NFNLGRP_CONNTRACK_DESTROY (3), as a bind() group mask.
    static let groups: UInt32 = 1 << 0 | 1 << 2

    public init() throws {
        descriptor = try Self.netfilterSocket(groups: Self.groups)
        var size: Int32 = 4 << 20
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(descriptor) }

    static func netfilterSocket(groups: UInt32) throws -> Int32 {
        try NetlinkSocket.open(NETLINK_NETFILTER, groups: groups, name: "NETLINK_NETFILTER, conntrack")
    }

    /// Events waiting now: translated connections that appeared (`true`) or ended (`false`). An overrun
    /// buffer (ENOBUFS) loses some; their frames are then counted on both sides, never misattributed.
    public func pendingChanges() -> [(NATBinding, appeared: Bool)] {
        var changes: [(NATBinding, appeared: Bool)] = []
        NetlinkSocket.drain(descriptor, buffer: &buffer) { datagram in
            for message in NetlinkMessage.split(datagram) {
                guard message.type == ConntrackMessage.new || message.type == ConntrackMessage.delete,
                      let binding = ConntrackMessage.binding(message.payload) else { continue }
                changes.append((binding, message.type == ConntrackMessage.new))
            }
        }
        return changes
    }

    /// The translated connections tracked now (IPCTNL_MSG_CT_GET dumps, IPv4 and IPv6), on a socket of its own.
    public static func currentBindings() throws -> [NATBinding] {
        let fd = try netfilterSocket(groups: 0)
        defer { close(fd) }
        var bindings: [NATBinding] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        for family in [UInt8(AF_INET), UInt8(AF_INET6)] {
            // struct nlmsghdr, then struct nfgenmsg { family, version NFNETLINK_V0, res_id 0 }.
            var request = [UInt8](repeating: 0, count: 20)
            withUnsafeBytes(of: UInt32(20).littleEndian) { request.replaceSubrange(0..<4, with: $0) }
            withUnsafeBytes(of: ConntrackMessage.get.littleEndian) { request.replaceSubrange(4..<6, with: $0) }
            withUnsafeBytes(of: UInt16(NLM_F_REQUEST | NLM_F_DUMP).littleEndian) { request.replaceSubrange(6..<8, with: $0) }
            request[16] = family
            guard send(fd, request, request.count, 0) == request.count else {
                throw SystemCallError(call: "send(ctnetlink dump)", errno: errno)
            }
            var done = false
            while !done {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 1000) > 0 else { break }
                let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if received < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    throw SystemCallError(call: "recv(ctnetlink dump)", errno: errno)
                }
                buffer.withUnsafeBytes { raw in
                    for message in NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: raw[0..<received])) {
                        if message.type == NetlinkMessage.done || message.type == NetlinkMessage.error { done = true }
                        if let binding = ConntrackMessage.binding(message.payload), message.type == ConntrackMessage.new {
                            bindings.append(binding)
                        }
                    }
                }
            }
        }
        return bindings
    }
}
