@testable import ProcscopeLinux
import ProcscopeCore

/// Socket tables in memory (`SocketTables`): the sockets sock_diag would find, by protocol, tuple and
/// namespace; listeners answer a lookup from the wildcard peer; an error to throw instead; closes to report.
final class FakeSocketTables: SocketTables {
    struct Tuple: Hashable {
        var proto: IPProtocol
        var local: Endpoint
        var remote: Endpoint
        var namespace: UInt16
    }

    var sockets: [Tuple: InetDiagMessage] = [:]
    /// Thrown by every lookup when set (a refused sock_diag request, a namespace that cannot be entered).
    var failure: Error?
    var reportsCloses = true
    var closesDescriptor: Int32? { nil }
    var closes: [SocketCloseEvent] = []
    var packets: [PacketDiagMessage] = []

    /// Puts a socket in the table under its own tuple (a listener under the wildcard peer, as sock_diag
    /// answers a lookup from an impossible peer with it).
    func add(_ proto: IPProtocol, _ socket: InetDiagMessage, namespace: UInt16 = 0) {
        sockets[Tuple(proto: proto, local: socket.local, remote: socket.remote, namespace: namespace)] = socket
    }

    /// Lookups asked so far (each would be a sock_diag request).
    private(set) var lookups = 0

    func socket(_ proto: IPProtocol, local: Endpoint, remote: Endpoint, namespace: UInt16) throws -> InetDiagMessage? {
        lookups += 1
        if let failure { throw failure }
        if let exact = sockets[Tuple(proto: proto, local: local, remote: remote, namespace: namespace)] { return exact }
        // As the kernel does for TCP: a connection's lookup falls through to the listener on its local endpoint.
        guard proto == .tcp else { return nil }
        let any = Endpoint(address: local.address.isIPv4 ? .ipv4Any : .ipv6Any, port: 0)
        return sockets[Tuple(proto: proto, local: local, remote: any, namespace: namespace)]
    }

    func inetSockets() -> [InetDiagMessage] { Array(sockets.values) }
    func packetSockets(namespace: UInt16) throws -> [PacketDiagMessage] { packets }
    func procNetTable(_ name: String, namespace: UInt16) -> String? { nil }
    func namespaceCookie(_ namespace: UInt16) -> UInt64 { 0 }

    func takeCloses() -> [SocketCloseEvent] {
        defer { closes = [] }
        return closes
    }
}

/// The kernel's socket records in memory (`SocketRecords`).
final class FakeSocketRecords: SocketRecords {
    var creators: [UInt64: Int32] = [:]
    var releases: [UInt64: ReleasedSocket] = [:]

    func creator(cookie: UInt64) -> Int32? { creators[cookie] }
    func lastHolder(cookie: UInt64) -> ReleasedSocket? { releases[cookie] }
}
