/// How an owner was found (a JSON contract: `attribution.method`). Every attribution carries one, so a user
/// can tell a certain match from a weaker one.
public struct AttributionMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// sock_diag returned the socket with exactly this tuple and a /proc fd scan found its inode.
    public static let exactSocket = AttributionMethod(rawValue: "exact-socket")
    /// A UDP socket bound to the local port (possibly the wildcard address) but not connected to the peer.
    public static let boundSocket = AttributionMethod(rawValue: "bound-socket")
    /// Only the LISTEN socket matched (a handshake that never completed): the listener's owner.
    public static let listeningSocket = AttributionMethod(rawValue: "listening-socket")
    /// The socket inode's owner came from procscope's inode cache, still valid (its socket is alive).
    public static let cachedSocket = AttributionMethod(rawValue: "cached-socket")
    /// The process that held the socket when it was released (closed, or its holder exited), recorded by the
    /// kernel at that moment (procscope's cgroup/sock_release hook): for owners gone before any scan.
    public static let releasedSocket = AttributionMethod(rawValue: "released-socket")
    /// The socket that sent the flow's first packet (a TCP SYN, an echo request) was recorded by the kernel as
    /// it left (procscope's cgroup_skb/egress hook), and its creator was the task sending it: for sockets gone
    /// from the kernel's tables before any lookup (a refused connect, a pinger that exited at once).
    public static let recordedSend = AttributionMethod(rawValue: "recorded-send")
    /// An ICMP echo matched to the ping socket (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6) bound to its identifier.
    public static let pingSocket = AttributionMethod(rawValue: "ping-socket")
    /// An ICMP echo (or a raw protocol's packet) matched to the only raw socket of its protocol: raw sockets
    /// see every packet of their protocol, so this is named only when there is exactly one candidate.
    public static let rawSocket = AttributionMethod(rawValue: "raw-socket")
    /// An outgoing frame no inet, ping or raw socket sent, credited to the only process holding an AF_PACKET
    /// socket that can inject (not a capture ring, not procscope's own): the kernel does not say which packet
    /// socket sent a frame, so this is the one candidate, not an observed send. Several candidates: unknown.
    public static let packetSocket = AttributionMethod(rawValue: "packet-socket")
    /// The socket changed hands: the process that held it before exited and this one, a child it forked
    /// (a launcher, a supervisor, a shell's `exec 3<>/dev/tcp/...`), kept it. The conversation's traffic from
    /// the holder's exit on is this process's, in a conversation of its own; what came before stays with the
    /// earlier holder.
    public static let inheritedSocket = AttributionMethod(rawValue: "inherited-socket")
    /// Read from a procscope-annotated capture file.
    public static let annotation = AttributionMethod(rawValue: "annotation")

    public var description: String { rawValue }
}
