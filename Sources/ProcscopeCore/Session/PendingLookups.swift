/// The conversations whose owner lookup has not answered yet, indexed by what a close event can match them
/// by: protocol, namespace and local port (`SocketClosed.covers` needs all three to agree).
///
/// Every close event is matched against the pending conversations, so that one whose socket closed before its
/// lookup answered is not credited to a later socket on the same tuple. Walking every pending conversation
/// per close made that quadratic under connection churn: a few hundred lookups pending while thousands of
/// sockets close a second (a few percent of the live loop's samples on a 2-core machine, perf, and more on a
/// host whose lookups take longer). Through the index a close looks only at its own port's.
struct PendingLookups: Sequence {
    struct Port: Hashable {
        var proto: IPProtocol
        var namespace: UInt16
        var port: UInt16

        init(_ key: FlowKey) {
            proto = key.proto
            namespace = key.namespace
            port = key.local.port
        }
    }

    /// Each pending conversation and the port it is indexed under (kept, so a removal needs only the slot).
    private var ports: [Int32: Port] = [:]
    private var byPort: [Port: [Int32]] = [:]

    var count: Int { ports.count }
    var isEmpty: Bool { ports.isEmpty }

    func contains(_ conversation: Int32) -> Bool { ports[conversation] != nil }

    /// Adds `conversation`, keyed `key`.
    mutating func insert(_ conversation: Int32, key: FlowKey) {
        let port = Port(key)
        guard ports.updateValue(port, forKey: conversation) == nil else { return }
        byPort[port, default: []].append(conversation)
    }

    mutating func remove(_ conversation: Int32) {
        guard let port = ports.removeValue(forKey: conversation) else { return }
        byPort[port]?.removeAll { $0 == conversation }
        if byPort[port]?.isEmpty == true { byPort.removeValue(forKey: port) }
    }

    /// The pending conversations a close of a socket keyed `key` may cover: the same protocol, namespace and
    /// local port, in the order they began waiting.
    func candidates(for key: FlowKey) -> [Int32] { byPort[Port(key)] ?? [] }

    func makeIterator() -> Dictionary<Int32, Port>.Keys.Iterator { ports.keys.makeIterator() }
}
