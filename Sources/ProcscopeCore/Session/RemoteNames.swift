/// The names the capture learned from DNS answers (`DNSAnswers`): for each address, the name last asked for
/// it, good from the answer for its TTL, and for an hour at least (a resolver caches, a connection outlives the
/// TTL; past that the name may belong to someone else). Bounded: a `GenerationalCache` of addresses.
public struct RemoteNames: Sendable {
    struct Entry: Sendable {
        var name: String
        var from: Timestamp
        var until: Timestamp
        /// Who asked: the conversation (slot) of the question, the flow it was then, to check that the slot
        /// still holds it when the report reads it; -1 when unknown (a looked-up name, an unseen question).
        var askerSlot: Int32 = -1
        var askerKey: FlowKey?
    }

    private var entries: GenerationalCache<IPAddress, Entry>

    public init(generationLimit: Int = 16_384) {
        entries = GenerationalCache(generationLimit: generationLimit)
    }

    /// Addresses named now.
    public var count: Int { entries.count }

    /// `asker`: the conversation that asked (its slot and key), when the capture saw the question.
    public mutating func learn(_ answer: DNSAnswers.Answer, at time: Timestamp, asker: (slot: Int32, key: FlowKey)? = nil) {
        let hold = max(Int64(answer.ttl), 3600) * 1_000_000
        entries.set(Entry(name: answer.name, from: time, until: Timestamp(microseconds: time.microseconds + hold),
                          askerSlot: asker?.slot ?? -1, askerKey: asker?.key),
                    for: answer.address)
    }

    /// The conversation that asked for the name `address` has for a conversation that started at `time`: its
    /// slot and the key it must still have.
    func asker(of address: IPAddress, at time: Timestamp) -> (slot: Int32, key: FlowKey)? {
        guard name(of: address, at: time) != nil, let entry = entries.peek(address), entry.askerSlot >= 0,
              let key = entry.askerKey else { return nil }
        return (entry.askerSlot, key)
    }

    /// A name the system resolver gave for `address` (`--resolve`, a reverse lookup asked when a conversation
    /// with it began at `askedAt`): good from then for an hour. A name learned from a captured answer wins:
    /// it is what was asked, where a reverse lookup gives whatever the address's owner registered.
    public mutating func learnLookedUp(_ name: String, for address: IPAddress, askedAt: Timestamp, now: Timestamp) {
        if let known = entries.peek(address), known.until >= now { return }
        entries.set(Entry(name: name, from: askedAt, until: Timestamp(microseconds: now.microseconds + 3_600_000_000)),
                    for: address)
    }

    /// Whether `address` has a name good at `time`.
    public func isNamed(_ address: IPAddress, at time: Timestamp) -> Bool { name(of: address, at: time) != nil }

    /// The name of `address` for a conversation that started at `time`: answered before it (within a second:
    /// the answer and the first frame may be captured in either order) and still good then.
    public func name(of address: IPAddress, at time: Timestamp) -> String? {
        guard let entry = entries.peek(address),
              entry.from.microseconds - 1_000_000 <= time.microseconds, time <= entry.until else { return nil }
        return entry.name
    }
}
