/// The destroy events of the last few thousand sockets, found by the conversation they could cover.
///
/// A lookup that finds no socket asks for the close of its tuple. Scanning every recent close for each such
/// lookup cost a third of the attribution worker's time under connection churn (thousands of closes, one scan
/// per new flow), so closes are kept in buckets by protocol, namespace and ports: a close covers a conversation
/// only when the first three are equal and the remote port is the conversation's or 0 (an unconnected socket;
/// `SocketClosed.covers`), so two buckets hold every candidate. A server's port alone would not do: every
/// accepted connection's close shares it.
public struct RecentCloses: Sendable {
    private struct Bucket: Hashable {
        var proto: IPProtocol
        var namespace: UInt16
        var localPort: UInt16
        var remotePort: UInt16

        init(_ key: FlowKey, remotePort: UInt16) {
            (proto, namespace, localPort, self.remotePort) = (key.proto, key.namespace, key.local.port, remotePort)
        }
    }
    private var buckets: [Bucket: [(sequence: Int, close: SocketClosed)]] = [:]
    private var nextSequence = 0
    /// Closes kept; past `limit`, the oldest are dropped down to half of it.
    public private(set) var count = 0
    /// 65,536: under connection churn (24,000 closes a second: a client's and a server's socket for each of
    /// 12,000 connections) half of it is 1.4 s of closes, more than a late lookup waits for its answer; 4,096
    /// held 85 ms, while lookups at normal priority were answered 230-470 ms after the first frame. (Raised
    /// with the first-attempt answer from a tuple's own close, which removed most of the unknowns measured
    /// then; the two were not measured apart.)
    public let limit: Int
    /// When the newest close dropped so far was reported (for room, or for age): a flow that began before it
    /// may have had its close dropped, and is told there is none rather than given a later socket's.
    public private(set) var droppedThrough: Timestamp?

    public init(limit: Int = 65_536) { self.limit = max(limit, 2) }

    /// Adds the newest close.
    public mutating func append(_ close: SocketClosed) {
        buckets[Bucket(close.key, remotePort: close.key.remote.port), default: []].append((nextSequence, close))
        nextSequence += 1
        count += 1
        if count > limit { dropOldest(keeping: limit / 2) }
    }

    /// The oldest close at or after `since` that covers `key` (a close before the flow's first frame was an
    /// earlier socket on a reused tuple).
    public func first(covering key: FlowKey, since: Timestamp) -> SocketClosed? {
        if mayHaveDropped(since) { return nil }
        func oldest(remotePort: UInt16) -> (sequence: Int, close: SocketClosed)? {
            buckets[Bucket(key, remotePort: remotePort)]?.first { entry in
                entry.close.closedAt.microseconds(since: since) >= 0 && entry.close.covers(key)
            }
        }
        let connected = oldest(remotePort: key.remote.port)
        let unconnected = key.remote.port == 0 ? nil : oldest(remotePort: 0)
        guard let connected, let unconnected else { return (connected ?? unconnected)?.close }
        return connected.sequence < unconnected.sequence ? connected.close : unconnected.close
    }

    /// The oldest close at or after `since` of a connected socket with `key`'s very tuple (never an unconnected
    /// socket's that merely shares its local port, such as its listener's); nil for a key without a remote port.
    public func first(ofTuple key: FlowKey, since: Timestamp) -> SocketClosed? {
        guard key.remote.port != 0, !mayHaveDropped(since) else { return nil }
        return buckets[Bucket(key, remotePort: key.remote.port)]?.first { entry in
            entry.close.closedAt.microseconds(since: since) >= 0 && entry.close.key.remote == key.remote
                && entry.close.covers(key)
        }?.close
    }

    /// Drops the closes reported before `cutoff`, so the memory a burst of closes took is given back once it
    /// is older than any lookup waits (the caller's `cutoff`).
    public mutating func drop(closedBefore cutoff: Timestamp) {
        drop { $0.close.closedAt < cutoff }
    }

    /// Whether a close at or after `since` may have been dropped.
    private func mayHaveDropped(_ since: Timestamp) -> Bool {
        droppedThrough.map { since <= $0 } ?? false
    }

    /// Keeps the newest `kept` closes: a pass over all of them once per `limit / 2` appends.
    private mutating func dropOldest(keeping kept: Int) {
        let cutoff = nextSequence - kept
        drop { $0.sequence < cutoff }
    }

    /// Drops the closes `dropped` picks (the oldest ones: sequence and time grow together), noting the
    /// newest dropped.
    private mutating func drop(where dropped: ((sequence: Int, close: SocketClosed)) -> Bool) {
        var remaining: [Bucket: [(sequence: Int, close: SocketClosed)]] = [:]
        var kept = 0
        for (bucket, closes) in buckets {
            var newer: [(sequence: Int, close: SocketClosed)] = []
            for entry in closes {
                if dropped(entry) {
                    if droppedThrough.map({ entry.close.closedAt > $0 }) ?? true { droppedThrough = entry.close.closedAt }
                } else {
                    newer.append(entry)
                }
            }
            if !newer.isEmpty { remaining[bucket] = newer }
            kept += newer.count
        }
        buckets = remaining
        count = kept
    }
}
