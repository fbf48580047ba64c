/// The names the capture learned from DNS answers (`DNSAnswers`): for each address, the name last asked for
/// it, good from the answer for its TTL, and for an hour at least (a resolver caches, a connection outlives the
/// TTL; past that the name may belong to someone else). Bounded like the socket-holder cache: two generations
/// of `generationLimit` addresses.
public struct RemoteNames: Sendable {
    struct Entry: Sendable {
        var name: String
        var from: Timestamp
        var until: Timestamp
    }

    private var current: [IPAddress: Entry] = [:]
    private var previous: [IPAddress: Entry] = [:]
    let generationLimit: Int

    public init(generationLimit: Int = 16_384) {
        self.generationLimit = generationLimit
    }

    /// Addresses named now.
    public var count: Int { current.count + previous.count }

    public mutating func learn(_ answer: DNSAnswers.Answer, at time: Timestamp) {
        let hold = max(Int64(answer.ttl), 3600) * 1_000_000
        if current.count >= generationLimit && current[answer.address] == nil {
            previous = current
            current = [:]
        }
        previous.removeValue(forKey: answer.address)
        current[answer.address] = Entry(name: answer.name, from: time, until: Timestamp(microseconds: time.microseconds + hold))
    }

    /// The name of `address` for a conversation that started at `time`: answered before it (within a second:
    /// the answer and the first frame may be captured in either order) and still good then.
    public func name(of address: IPAddress, at time: Timestamp) -> String? {
        guard let entry = current[address] ?? previous[address],
              entry.from.microseconds - 1_000_000 <= time.microseconds, time <= entry.until else { return nil }
        return entry.name
    }
}
