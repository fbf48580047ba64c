import CProcscopeLinux
import Glibc
import ProcscopeCore

/// Linux's socket tables (`SocketTables`): sock_diag in procscope's namespace and, for the host's other
/// network namespaces, a sock_diag socket made inside each one asked about (a socket keeps the namespace it
/// was created in); /proc/net tables, read from inside the namespace; and a subscription to socket destroy
/// events. Used on the attribution worker thread only.
final class KernelSocketTables: SocketTables {
    private let diag: SockDiagClient
    private let proc: ProcFileSystem
    /// The host's other network namespaces.
    private let namespaces: NetworkNamespaces?
    /// sock_diag sockets made inside other namespaces when first asked for, let go with their namespace.
    private let namespaceClients: NamespaceSockets<SockDiagClient>
    /// Namespace cookies (SO_NETNS_COOKIE) by namespace index, asked once: a connection's first-send lookup
    /// needs one, and under churn that was a system call per connection. An index is never given to another
    /// namespace, nor a cookie.
    private var cookies: [UInt16: UInt64] = [:]
    /// The subscriptions to socket destroy events (cookie and tuple of every closed socket), read on demand.
    private let closeEvents: SocketCloseFeed?

    /// `closes`: subscribe to destroy events (worth it only with the kernel's socket records, which the
    /// close's cookie leads to).
    init(diag: SockDiagClient, proc: ProcFileSystem, namespaces: NetworkNamespaces?, closes: Bool) {
        self.diag = diag
        self.proc = proc
        self.namespaces = namespaces
        closeEvents = closes ? try? SocketCloseFeed(namespaces: namespaces) : nil
        namespaceClients = NamespaceSockets(namespaces: namespaces) { _ in try SockDiagClient() }
    }

    func socket(_ proto: IPProtocol, local: Endpoint, remote: Endpoint, namespace: UInt16) throws -> InetDiagMessage? {
        try client(for: namespace).lookup(proto: proto, local: local, remote: remote)
    }

    func inetSockets() -> [InetDiagMessage] {
        [IPProtocol.tcp, .udp, .udpLite].flatMap { proto in
            [false, true].flatMap { ipv6 in (try? diag.dump(proto: proto, ipv6: ipv6)) ?? [] }
        }
    }

    func packetSockets(namespace: UInt16) throws -> [PacketDiagMessage] {
        try client(for: namespace).packetSockets()
    }

    /// procscope's own namespace's table, or one read from inside another namespace (a thread's
    /// /proc/thread-self/net is its current namespace's).
    func procNetTable(_ name: String, namespace: UInt16) -> String? {
        if namespace == 0 { return proc.readText("\(proc.root)/net/\(name)") }
        guard let member = namespaces?.member(namespace) else { return nil }
        return try? NetworkNamespace(path: member.path).run { proc.readText("/proc/thread-self/net/\(name)") }
    }

    func namespaceCookie(_ namespace: UInt16) -> UInt64 {
        if let known = cookies[namespace] { return known }
        guard let client = try? client(for: namespace) else { return 0 }
        let cookie = ps_netns_cookie(client.descriptor)
        if cookie != 0 { cookies[namespace] = cookie }
        return cookie
    }

    var reportsCloses: Bool { closeEvents != nil }
    var closesDescriptor: Int32? { closeEvents?.descriptor }

    func takeCloses() -> [SocketCloseEvent] {
        guard let closeEvents else { return [] }
        closeEvents.follow()
        return closeEvents.take()
    }

    /// The sock_diag socket for a namespace: procscope's own, or one made inside the other namespace, kept.
    /// Throws `NamespaceUnreachable` when the namespace is unknown or cannot be entered.
    private func client(for namespace: UInt16) throws -> SockDiagClient {
        namespace == 0 ? diag : try namespaceClients.socket(in: namespace)
    }
}
