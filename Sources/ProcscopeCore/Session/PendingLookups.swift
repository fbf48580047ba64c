/// The conversations waiting for their owner, found also by the local port a socket close can cover.
///
/// Each close the kernel reports is checked against the conversations still waiting (a close read before
/// the answer ends the conversation there). Under connection churn thousands wait while thousands of closes
/// arrive, and checking every waiting conversation at every close took a tenth of procscope's CPU. A close
/// covers a conversation only with the same protocol, namespace and local port (`SocketClosed.covers`), so
/// the waiting conversations are also kept in buckets by those three (`LocalPortKey`).
struct PendingLookups: Sequence {
    private var slots = Set<Int32>()
    private var buckets: [LocalPortKey: [Int32]] = [:]

    var count: Int { slots.count }
    var isEmpty: Bool { slots.isEmpty }

    func contains(_ slot: Int32) -> Bool { slots.contains(slot) }

    /// `key`: the conversation's, as the table holds it (the same one `remove` is given).
    mutating func insert(_ slot: Int32, key: FlowKey) {
        guard slots.insert(slot).inserted else { return }
        buckets[LocalPortKey(key), default: []].append(slot)
    }

    mutating func remove(_ slot: Int32, key: FlowKey) {
        guard slots.remove(slot) != nil else { return }
        let bucket = LocalPortKey(key)
        buckets[bucket]?.removeAll { $0 == slot }
        if buckets[bucket]?.isEmpty == true { buckets.removeValue(forKey: bucket) }
    }

    /// The waiting conversations a close of `key`'s socket may cover (a superset; `covers` decides).
    func candidates(closing key: FlowKey) -> [Int32] {
        buckets[LocalPortKey(key)] ?? []
    }

    func makeIterator() -> Set<Int32>.Iterator { slots.makeIterator() }
}
