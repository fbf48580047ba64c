import ProcscopeCore

/// A listener's queue of established connections waiting for `accept()`, named by what every connection in it
/// shares: protocol, local endpoint and network namespace.
struct AcceptQueue: Hashable {
    var proto: IPProtocol
    var local: Endpoint
    var namespace: UInt16

    /// The queue an incoming connection keyed `key` waits in.
    init(_ key: FlowKey) {
        proto = key.proto
        local = key.local
        namespace = key.namespace
    }
}
