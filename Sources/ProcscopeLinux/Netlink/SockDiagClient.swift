import CMnl
import CProcscopeLinux
import Glibc
import ProcscopeCore

/// A NETLINK_SOCK_DIAG socket (libmnl) for inet sockets: exact-tuple lookups, full dumps, and — when opened
/// with `destroyGroups` — the close events the kernel multicasts.
///
/// Not thread-safe: one client per thread. Sees only the network namespace it was created in.
public final class SockDiagClient {
    private let socket: OpaquePointer
    private var sequence: UInt32 = 1
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    /// The lengths of the destroy events one call took (`pendingDestroyEvents`).
    private var eventLengths = [UInt32](repeating: 0, count: SockDiagClient.eventSlots)
    public let descriptor: Int32

    /// SKNLGRP_INET_TCP_DESTROY, _UDP_, INET6 TCP and UDP (linux/sock_diag.h), as a bind() group mask.
    public static let destroyGroups: UInt32 = 1 << (UInt32(SKNLGRP_INET_TCP_DESTROY.rawValue) - 1)
        | 1 << (UInt32(SKNLGRP_INET_UDP_DESTROY.rawValue) - 1)
        | 1 << (UInt32(SKNLGRP_INET6_TCP_DESTROY.rawValue) - 1)
        | 1 << (UInt32(SKNLGRP_INET6_UDP_DESTROY.rawValue) - 1)

    /// Opens and binds the socket (mnl_socket_open, mnl_socket_bind). A socket meant for destroy events must
    /// be bound to the groups, or no event ever arrives; it is made non-blocking.
    public init(groups: UInt32 = 0) throws {
        guard let socket = mnl_socket_open(NETLINK_SOCK_DIAG) else {
            throw SystemCallError(call: "mnl_socket_open(NETLINK_SOCK_DIAG)", errno: errno)
        }
        self.socket = socket
        self.descriptor = mnl_socket_get_fd(socket)
        if mnl_socket_bind(socket, groups, pid_t(MNL_SOCKET_AUTOPID)) < 0 {
            let error = errno
            mnl_socket_close(socket)
            throw SystemCallError(call: "mnl_socket_bind(NETLINK_SOCK_DIAG)", errno: error,
                                  subject: groups == 0 ? nil : "destroy groups")
        }
        if groups != 0 {
            var size: Int32 = 4 << 20
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit { mnl_socket_close(socket) }

    /// The socket of one flow, or nil when the kernel has none (ENOENT).
    ///
    /// Mind the traps (shared/DESIGN.md): UDP is looked up on the receive path, so the request's source is
    /// the PEER and its destination the LOCAL socket; the answer may be an unconnected or wildcard-bound socket.
    /// TCP falls back to the LISTEN socket when no connection matches: the caller checks the returned tuple.
    /// IPv4 flows are tried as AF_INET; the kernel then also finds dual-stack AF_INET6 sockets.
    public func lookup(proto: IPProtocol, local: Endpoint, remote: Endpoint) throws -> InetDiagMessage? {
        let family = UInt8(local.address.isIPv4 ? AF_INET : AF_INET6)
        let isUDP = proto == .udp || proto == .udpLite
        let (source, destination) = isUDP ? (remote, local) : (local, remote)
        let sourceBytes = source.address.kernelBytes
        let destinationBytes = destination.address.kernelBytes
        let seq = nextSequence()
        let length = buffer.withUnsafeMutableBytes { raw in
            ps_inet_diag_request(raw.baseAddress, raw.count, seq, family, proto.rawValue, TCPState.allStatesMask, 0,
                                 sourceBytes, source.port, destinationBytes, destination.port)
        }
        try send(length: Int(length))
        var found: InetDiagMessage?
        try receive(sequence: seq) { message in
            if let parsed = InetDiagMessage(payload: message.payload) { found = parsed }
        }
        return found
    }

    /// Every socket of `proto` in one family (NLM_F_DUMP), all states.
    public func dump(proto: IPProtocol, ipv6: Bool) throws -> [InetDiagMessage] {
        let seq = nextSequence()
        let zeros = [UInt8](repeating: 0, count: 16)
        let length = buffer.withUnsafeMutableBytes { raw in
            ps_inet_diag_request(raw.baseAddress, raw.count, seq, UInt8(ipv6 ? AF_INET6 : AF_INET), proto.rawValue,
                                 TCPState.allStatesMask, 1, zeros, 0, zeros, 0)
        }
        try send(length: Int(length))
        var sockets: [InetDiagMessage] = []
        try receive(sequence: seq) { message in
            if let parsed = InetDiagMessage(payload: message.payload) { sockets.append(parsed) }
        }
        return sockets
    }

    /// Every AF_PACKET socket of the namespace (packet_diag dump), with its interface, uid and rings.
    public func packetSockets() throws -> [PacketDiagMessage] {
        let seq = nextSequence()
        let length = buffer.withUnsafeMutableBytes { ps_packet_diag_request($0.baseAddress, $0.count, seq) }
        try send(length: Int(length))
        var sockets: [PacketDiagMessage] = []
        try receive(sequence: seq) { message in
            if let parsed = PacketDiagMessage(payload: message.payload) { sockets.append(parsed) }
        }
        return sockets
    }

    /// Close events waiting on a destroy-group socket (non-blocking; empty when none). Each comes with its
    /// protocol from INET_DIAG_PROTOCOL.
    ///
    /// The kernel multicasts each close as a datagram of its own, so a `recv` took one close, and another
    /// `recv` was needed to learn there were no more: under connection churn, two readers taking every close
    /// of a connection's two sockets made five calls a connection. Up to `eventSlots` are taken a call.
    public func pendingDestroyEvents() throws -> [(InetDiagMessage, IPProtocol)] {
        var events: [(InetDiagMessage, IPProtocol)] = []
        let slotSize = buffer.count / Self.eventSlots
        while true {
            let received = buffer.withUnsafeMutableBytes { raw in
                eventLengths.withUnsafeMutableBufferPointer {
                    ps_recv_many(descriptor, raw.baseAddress, slotSize, UInt32(Self.eventSlots), $0.baseAddress)
                }
            }
            if received < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return events }
                if errno == ENOBUFS { continue } // events were lost; later lookups still decide correctly
                throw SystemCallError(call: "recvmmsg(sock_diag destroy events)", errno: errno)
            }
            buffer.withUnsafeBytes { raw in
                for slot in 0..<Int(received) {
                    let datagram = UnsafeRawBufferPointer(rebasing: raw[slot * slotSize ..< slot * slotSize + Int(eventLengths[slot])])
                    for message in NetlinkMessage.split(datagram) where message.type == NetlinkMessage.sockDiagByFamily {
                        guard let parsed = InetDiagMessage(payload: message.payload) else { continue }
                        let proto = InetDiagAttributes.parse(message.payload)[InetDiagAttributes.proto]?.first
                        events.append((parsed, IPProtocol(rawValue: proto ?? IPProtocol.tcp.rawValue)))
                    }
                }
            }
            // Fewer than asked for: none left for now, without a call to say so.
            if received < Self.eventSlots { return events }
        }
    }

    /// Close events taken a call; each datagram gets an equal share of the buffer (4 KiB: a destroy event,
    /// with its TCP info, is a few hundred bytes).
    static let eventSlots = 16

    private func nextSequence() -> UInt32 {
        sequence &+= 1
        return sequence
    }

    private func send(length: Int) throws {
        guard length > 0 else { throw SystemCallError(call: "ps_inet_diag_request", errno: EINVAL) }
        _ = try retryingSystemCall("mnl_socket_sendto(sock_diag)") {
            buffer.withUnsafeBytes { mnl_socket_sendto(socket, $0.baseAddress, length) }
        }
    }

    /// Reads replies to `sequence` until NLMSG_DONE, an error or (for a lookup) the single answer.
    private func receive(sequence: UInt32, _ body: (NetlinkMessage) -> Void) throws {
        while true {
            let received = try retryingSystemCall("mnl_socket_recvfrom(sock_diag)") {
                buffer.withUnsafeMutableBytes { mnl_socket_recvfrom(socket, $0.baseAddress, $0.count) }
            }
            let messages = buffer.withUnsafeBytes {
                NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: $0[0..<Int(received)]))
            }
            var finished = false
            for message in messages where message.sequence == sequence {
                switch message.type {
                case NetlinkMessage.done:
                    finished = true
                case NetlinkMessage.error:
                    let code = message.errorCode ?? EIO
                    if code == 0 || code == ENOENT { finished = true } else {
                        throw SystemCallError(call: "sock_diag", errno: code)
                    }
                default:
                    body(message)
                    if message.flags & UInt16(NLM_F_MULTI) == 0 { finished = true }
                }
            }
            if finished { return }
        }
    }
}
