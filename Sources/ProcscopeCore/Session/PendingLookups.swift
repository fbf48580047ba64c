/// The conversations waiting for their owner, found also by the local port a socket close can cover.
///
/// Each close the kernel reports is checked against the conversations still waiting (a close read before
/// the answer ends the conversation there). Under connection churn thousands wait while thousands of closes
/// arrive, and checking every waiting conversation at every close took a tenth of procscope's CPU. A close
/// covers a conversation only with the same protocol, namespace and local port (`SocketClosed.covers`), so
/// the waiting conversations are also kept in buckets by those three (`LocalPortKey`).
///
/// Each conversation's bucket is remembered with it: a waiting conversation can change key (`rekey`, a port
/// forward's first frame keyed before its translation was known), and is taken out of the bucket it is in,
/// never one computed from a key that may have moved. (An earlier index that did not follow such moves left
/// slots behind in old buckets; the port-forward test then counted frames twice now and then.)
struct PendingLookups: Sequence {
    private var bucketOf: [Int32: LocalPortKey] = [:]
    private var buckets: [LocalPortKey: [Int32]] = [:]

    var count: Int { bucketOf.count }
    var isEmpty: Bool { bucketOf.isEmpty }

    func contains(_ slot: Int32) -> Bool { bucketOf[slot] != nil }

    /// Adds a waiting conversation under its key (or moves it there, when it already waits).
    mutating func insert(_ slot: Int32, key: FlowKey) {
        let bucket = LocalPortKey(key)
        if let old = bucketOf[slot] {
            guard old != bucket else { return }
            takeOut(slot, from: old)
        }
        bucketOf[slot] = bucket
        buckets[bucket, default: []].append(slot)
    }

    mutating func remove(_ slot: Int32) {
        guard let bucket = bucketOf.removeValue(forKey: slot) else { return }
        takeOut(slot, from: bucket)
    }

    /// The waiting conversations a close of `key`'s socket may cover (a superset; `covers` decides).
    func candidates(closing key: FlowKey) -> [Int32] {
        buckets[LocalPortKey(key)] ?? []
    }

    func makeIterator() -> Dictionary<Int32, LocalPortKey>.Keys.Iterator { bucketOf.keys.makeIterator() }

    private mutating func takeOut(_ slot: Int32, from bucket: LocalPortKey) {
        buckets[bucket]?.removeAll { $0 == slot }
        if buckets[bucket]?.isEmpty == true { buckets.removeValue(forKey: bucket) }
    }
}
