/// Maps a `FlowKey` to the index of its live conversation.
///
/// Open addressing with linear probing over 4-byte slots, keyed by `FlowKey.fastHash`, with backward-shift
/// deletion (no tombstones, so probes stay short however many flows come and go). Faster and several times
/// smaller than `Dictionary<FlowKey, Int32>`: the key itself is stored once, in the conversation.
public struct FlowIndex: Sendable {
    var slots: [Int32]
    var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// The conversation index stored for `key`, looking keys up in `conversations`.
    public func find(_ key: FlowKey, in conversations: ContiguousArray<Conversation>) -> Int32? {
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while true {
            let value = slots[slot]
            if value < 0 { return nil }
            if conversations[Int(value)].key == key { return value }
            slot = (slot + 1) & mask
        }
    }

    /// Stores `index` for `key`; the key must not be present.
    public mutating func insert(_ key: FlowKey, index: Int32, in conversations: ContiguousArray<Conversation>) {
        if (count + 1) * 2 > slots.count { grow(conversations) }
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = index
        count += 1
    }

    /// Removes `key`, shifting back the entries that probed past it.
    public mutating func remove(_ key: FlowKey, in conversations: ContiguousArray<Conversation>) {
        var slot = Int(truncatingIfNeeded: key.fastHash) & mask
        while true {
            let value = slots[slot]
            if value < 0 { return }
            if conversations[Int(value)].key == key { break }
            slot = (slot + 1) & mask
        }
        var hole = slot
        var next = (hole + 1) & mask
        while slots[next] >= 0 {
            let home = Int(truncatingIfNeeded: conversations[Int(slots[next])].key.fastHash) & mask
            // Move the entry back if its home is not in the cyclic range (hole, next].
            let distanceToNext = (next - home) & mask
            let distanceToHole = (hole - home) & mask
            if distanceToHole < distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = -1
        count -= 1
    }

    mutating func grow(_ conversations: ContiguousArray<Conversation>) {
        let old = slots
        slots = [Int32](repeating: -1, count: old.count * 2)
        mask = slots.count - 1
        for value in old where value >= 0 {
            var slot = Int(truncatingIfNeeded: conversations[Int(value)].key.fastHash) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = value
        }
    }
}
