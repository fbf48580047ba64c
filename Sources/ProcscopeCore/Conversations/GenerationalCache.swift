/// A map bounded by size, for what a long capture learns and must not keep forever (socket holders, names
/// from DNS answers): two generations. Entries go into the current one; when it holds `generationLimit`, it
/// becomes the previous one and the older generation is dropped. A hit in the previous generation that asks
/// for it (`value(for:)`) moves back into the current one, so what is asked about often stays however much
/// comes and goes. At most twice `generationLimit` entries.
public struct GenerationalCache<Key: Hashable, Value> {
    private var current: [Key: Value] = [:]
    private var previous: [Key: Value] = [:]
    public let generationLimit: Int

    public init(generationLimit: Int) {
        self.generationLimit = generationLimit
    }

    public var count: Int { current.count + previous.count }

    /// The value for `key`, kept in the current generation.
    public mutating func value(for key: Key) -> Value? {
        if let value = current[key] { return value }
        guard let value = previous.removeValue(forKey: key) else { return nil }
        store(value, for: key)
        return value
    }

    /// The value for `key`, without keeping it any longer than it would be.
    public func peek(_ key: Key) -> Value? { current[key] ?? previous[key] }

    public mutating func set(_ value: Value, for key: Key) {
        previous.removeValue(forKey: key)
        store(value, for: key)
    }

    public mutating func remove(_ key: Key) {
        current.removeValue(forKey: key)
        previous.removeValue(forKey: key)
    }

    private mutating func store(_ value: Value, for key: Key) {
        if current.count >= generationLimit && current[key] == nil {
            previous = current
            current = [:]
        }
        current[key] = value
    }
}

extension GenerationalCache: Sendable where Key: Sendable, Value: Sendable {}
