/// One socket of the ownership table (`procscope sockets`): what it is, in which network namespace, and
/// which processes hold it. Raw sockets carry their IP protocol as the local port, ping sockets their echo
/// identifier; packet sockets have no addresses.
public struct SocketRecord: Sendable, Equatable {
    /// tcp, udp, udplite, raw, ping, packet.
    public var kind: String
    /// The inode of the socket's network namespace (as in /proc/PID/ns/net).
    public var namespace: UInt64
    public var local: Endpoint?
    public var remote: Endpoint?
    /// TCP state name, or the kernel's state for other kinds (CLOSE for an unconnected datagram socket).
    public var state: String
    public var uid: UInt32
    public var inode: UInt32
    /// Every process holding the socket (a socket inherited across fork has several).
    public var owners: [Owner]
    /// Kind-specific facts (a packet socket's type, protocol and interface).
    public var detail: String?

    public struct Owner: Sendable, Equatable {
        public var pid: Int32
        public var name: String

        public init(pid: Int32, name: String) {
            self.pid = pid
            self.name = name
        }
    }

    public init(kind: String, namespace: UInt64, local: Endpoint?, remote: Endpoint?, state: String, uid: UInt32,
                inode: UInt32, owners: [Owner] = [], detail: String? = nil) {
        self.kind = kind
        self.namespace = namespace
        self.local = local
        self.remote = remote
        self.state = state
        self.uid = uid
        self.inode = inode
        self.owners = owners
        self.detail = detail
    }
}
