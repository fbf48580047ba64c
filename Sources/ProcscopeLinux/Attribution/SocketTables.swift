import ProcscopeCore

/// The kernel's socket tables, in every network namespace of the host, as `OwnershipResolver` asks them: the
/// one way the resolver reaches sockets, so each of its decisions (which source answers, every unknown
/// reason) can be tested on tables in memory without root. `KernelSocketTables` is Linux's: sock_diag,
/// /proc/net, socket destroy events.
protocol SocketTables: AnyObject {
    /// The socket the kernel finds for a tuple in `namespace` (sock_diag's exact lookup; with a wildcard
    /// remote of port 0, a listener), or nil. Throws when the namespace cannot be entered or the kernel
    /// refuses (a `SystemCallError`, permission denied included).
    func socket(_ proto: IPProtocol, local: Endpoint, remote: Endpoint, namespace: UInt16) throws -> InetDiagMessage?
    /// Every inet socket of procscope's own namespace now (TCP, UDP, UDP-Lite; IPv4 and IPv6).
    func inetSockets() -> [InetDiagMessage]
    /// The packet sockets of `namespace` (packet_diag).
    func packetSockets(namespace: UInt16) throws -> [PacketDiagMessage]
    /// The text of a /proc/net table of `namespace` (`raw6`, `icmp`, `sctp/assocs`), nil where there is none.
    func procNetTable(_ name: String, namespace: UInt16) -> String?
    /// The namespace's cookie (SO_NETNS_COOKIE), which first-send records are keyed by; 0 when unknown.
    func namespaceCookie(_ namespace: UInt16) -> UInt64
    /// Whether socket closes are reported (destroy events: they need cap_net_admin).
    var reportsCloses: Bool { get }
    /// Readable when close reports wait (nil when closes are not reported).
    var closesDescriptor: Int32? { get }
    /// The sockets whose close was reported since the last call, in any namespace of the host, oldest first
    /// within each namespace.
    func takeCloses() -> [SocketCloseEvent]
}

/// A network namespace whose tables could not be read (it is gone, or cannot be entered): the flows in it
/// are unknown for reason `namespace-unreachable`.
struct NamespaceUnreachable: Error, CustomStringConvertible {
    let namespace: UInt16
    /// What failed, in the system's words.
    let cause: String

    var description: String { cause }
}
