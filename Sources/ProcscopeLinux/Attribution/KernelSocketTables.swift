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
    /// sock_diag sockets made inside other namespaces, with the namespace's inode: let go of once the
    /// namespace vanished from `namespaces`' reading (a socket keeps its namespace alive).
    private var namespaceClients: [UInt16: (inode: UInt64, client: SockDiagClient, cookie: UInt64)] = [:]
    private var clientsGeneration = 0
    /// Namespace cookies (SO_NETNS_COOKIE), asked once: a connection's first-send lookup needs one, and
    /// under churn that was a system call per connection. 0 until asked.
    private var ownCookie: UInt64 = 0
    /// The subscriptions to socket destroy events (cookie and tuple of every closed socket), read on demand.
    private let closeEvents: SocketCloseFeed?

    /// `closes`: subscribe to destroy events (worth it only with the kernel's socket records, which the
    /// close's cookie leads to).
    init(diag: SockDiagClient, proc: ProcFileSystem, namespaces: NetworkNamespaces?, closes: Bool) {
        self.diag = diag
        self.proc = proc
        self.namespaces = namespaces
        closeEvents = closes ? try? SocketCloseFeed(namespaces: namespaces) : nil
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
        if namespace == 0 {
            if ownCookie == 0 { ownCookie = ps_netns_cookie(diag.descriptor) }
            return ownCookie
        }
        guard (try? client(for: namespace)) != nil, var known = namespaceClients[namespace] else { return 0 }
        if known.cookie == 0 {
            known.cookie = ps_netns_cookie(known.client.descriptor)
            namespaceClients[namespace] = known
        }
        return known.cookie
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
        if namespace == 0 { return diag }
        if let namespaces, namespaces.generation != clientsGeneration {
            clientsGeneration = namespaces.generation
            let members = namespaces.allMembers
            namespaceClients = namespaceClients.filter { members[$0.key]?.inode == $0.value.inode }
        }
        if let known = namespaceClients[namespace] { return known.client }
        guard let member = namespaces?.member(namespace) else {
            throw NamespaceUnreachable(namespace: namespace, cause: "\(SystemCallError(call: "setns", errno: ENOENT, subject: "network namespace #\(namespace)"))")
        }
        do {
            let client = try NetworkNamespace(path: member.path).run { try SockDiagClient() }
            namespaceClients[namespace] = (member.inode, client, 0)
            return client
        } catch {
            throw NamespaceUnreachable(namespace: namespace, cause: "\(error)")
        }
    }
}
