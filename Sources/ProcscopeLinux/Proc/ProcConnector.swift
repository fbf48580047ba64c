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
        let fd = try retryingSystemCall("socket(NETLINK_CONNECTOR)") {
            socket(AF_NETLINK, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                   NETLINK_CONNECTOR)
        }
        descriptor = fd
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = UInt32(CN_IDX_PROC)
        address.nl_pid = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        if bound < 0 {
            let error = errno
            close(fd)
            throw SystemCallError(call: "bind(NETLINK_CONNECTOR)", errno: error)
        }
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var request = [UInt8](repeating: 0, count: 64)
        let length = request.withUnsafeMutableBytes { ps_proc_connector_listen_request($0.baseAddress, $0.count, 1) }
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, Int(length), 0) }
        if sent < 0 {
            let error = errno
            close(fd)
            throw SystemCallError(call: "send(PROC_CN_MCAST_LISTEN)", errno: error)
        }
    }

    deinit { close(descriptor) }

    /// Events waiting now (empty when none). Lost events (ENOBUFS under a fork storm) are skipped: the
    /// full-scan fallback keeps attribution correct without them.
    public func pendingEvents() -> [ProcessEvent] {
        var events: [ProcessEvent] = []
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if received < 0 {
                if errno == EINTR || errno == ENOBUFS { continue }
                return events
            }
            buffer.withUnsafeBytes { raw in
                let datagram = UnsafeRawBufferPointer(rebasing: raw[0..<received])
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
            }
        }
    }
}
