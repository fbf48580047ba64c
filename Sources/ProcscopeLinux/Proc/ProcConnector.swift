import CProcscopeLinux
import Glibc

/// The kernel's process-event multicast (NETLINK_CONNECTOR, CN_IDX_PROC): FORK/EXEC/EXIT within ~50 us.
/// procscope uses it to scan the newest processes first, snapshot identities at exec (before a short-lived
/// client can exit) and drop cached identities at exit. Non-blocking; needs CAP_NET_ADMIN.
public final class ProcConnector {
    public let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 15)
    private let eventOffset = ps_proc_event_offset()
    private let dataOffset = ps_proc_event_data_offset()

    public init() throws {
        var fd = try Self.subscribedSocket()
        if fd == -ECONNREFUSED {
            // The connector exists only in the initial network namespace: from any other (procscope run with
            // `ip netns exec`, in a container's netns) the subscription is refused. A socket keeps the
            // namespace it was created in, so create it there and come back.
            for namespace in NetworkNamespace.initialCandidates where fd < 0 {
                fd = (try? namespace.run { try Self.subscribedSocket() }) ?? fd
            }
        }
        guard fd >= 0 else { throw SystemCallError(call: "subscribe(NETLINK_CONNECTOR, CN_IDX_PROC)", errno: -fd) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// A connector socket bound to the process-event group with PROC_CN_MCAST_LISTEN sent, or minus the
    /// errno of the step that failed.
    private static func subscribedSocket() throws -> Int32 {
        let fd = try retryingSystemCall("socket(NETLINK_CONNECTOR)") {
            socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                   NETLINK_CONNECTOR)
        }
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = UInt32(CN_IDX_PROC)
        address.nl_pid = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var request = [UInt8](repeating: 0, count: 64)
        let length = request.withUnsafeMutableBytes { ps_proc_connector_listen_request($0.baseAddress, $0.count, 1) }
        let sent = bound < 0 ? -1 : request.withUnsafeBytes { send(fd, $0.baseAddress, Int(length), 0) }
        guard sent >= 0 else {
            let error = errno
            close(fd)
            return -error
        }
        return fd
    }

    /// Events waiting now (empty when none). Lost events (ENOBUFS under a fork storm) are skipped, and said
    /// (`lostEvents`): the full-scan fallback keeps attribution correct without them.
    public func pendingEvents() -> [ProcessEvent] {
        var events: [ProcessEvent] = []
        if NetlinkSocket.drain(descriptor, buffer: &buffer, { datagram in
            var offset = 0
            while datagram.count - offset >= 16 {
                let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                guard length >= 16, offset + length <= datagram.count else { break }
                let message = UnsafeRawBufferPointer(rebasing: datagram[offset..<(offset + length)])
                if let event = ProcessEvent.parse(message, eventOffset: eventOffset, dataOffset: dataOffset) {
                    events.append(event)
                }
                offset += (length + 3) & ~3
            }
        }) {
            lostEvents = true
        }
        return events
    }

    /// Set when events were lost (the socket overran) since the caller last cleared it: what relies on
    /// seeing every exit must not, until it has checked again.
    public var lostEvents = false
}
