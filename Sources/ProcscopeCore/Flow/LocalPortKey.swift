/// A flow's protocol, namespace and local port: what a socket close must share with a conversation to end it
/// (`SocketClosed.covers`), and so the bucket closes and waiting lookups are matched in, without comparing
/// each close with everything that waits.
public struct LocalPortKey: Hashable, Sendable {
    public var proto: IPProtocol
    public var namespace: UInt16
    public var localPort: UInt16

    public init(_ key: FlowKey) { (proto, namespace, localPort) = (key.proto, key.namespace, key.local.port) }
}
