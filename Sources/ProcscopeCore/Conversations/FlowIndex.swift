/// Maps a `FlowKey` to the index of its live conversation.
///
/// Open addressing with linear probing over 8-byte slots, keyed by `FlowKey.fastHash`, with backward-shift
/// deletion (no tombstones, so probes stay short however many flows come and go). Each slot holds the
/// conversation index and the upper 32 bits of its key's hash: a probe compares that tag first and touches a
/// conversation record (a cache miss on large tables) only when the tag matches, so a lookup of an absent key
/// (the first probe of every reply frame read from a file) costs no record access at all.
public struct FlowIndex: Sendable {
    /// Tag in the upper 32 bits, conversation index in the lower 32; `empty` when free.
    var slots: [UInt64]
    var mask: Int
    public private(set) var count = 0

    static let empty = UInt64.max
    /// Bytes a slot takes, for the memory budget.
    public static let slotSize = MemoryLayout<UInt64>.stride

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt64](repeating: Self.empty, count: size)
        mask = size - 1
    }

    @inline(__always) static func tag(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF_0000_0000 }

    /// The conversation index stored for `key`, looking keys up in `conversations`.
    @inline(__always)
    public func find(_ key: FlowKey, in conversations: ContiguousArray<Conversation>) -> Int32? {
        let hash = key.fastHash
        let tag = Self.tag(hash)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let value = slots[slot]
            if value == Self.empty { return nil }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let index = Int32(truncatingIfNeeded: value)
                if conversations[Int(index)].key == key { return index }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Stores `index` for `key`; the key must not be present.
    public mutating func insert(_ key: FlowKey, index: Int32, in conversations: ContiguousArray<Conversation>) {
        if (count + 1) * 2 > slots.count { grow(conversations) }
        place(key.fastHash, index: index)
        count += 1
    }

    private mutating func place(_ hash: UInt64, index: Int32) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != Self.empty { slot = (slot + 1) & mask }
        slots[slot] = Self.tag(hash) | UInt64(UInt32(bitPattern: index))
    }

    /// Removes `key`, shifting back the entries that probed past it.
    public mutating func remove(_ key: FlowKey, in conversations: ContiguousArray<Conversation>) {
        let hash = key.fastHash
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let value = slots[slot]
            if value == Self.empty { return }
            if value & 0xFFFF_FFFF_0000_0000 == Self.tag(hash),
               conversations[Int(Int32(truncatingIfNeeded: value))].key == key { break }
            slot = (slot + 1) & mask
        }
        var hole = slot
        var next = (hole + 1) & mask
        while slots[next] != Self.empty {
            let moved = conversations[Int(Int32(truncatingIfNeeded: slots[next]))].key.fastHash
            let home = Int(truncatingIfNeeded: moved) & mask
            // Move the entry back if its home is not in the cyclic range (hole, next].
            let distanceToNext = (next - home) & mask
            let distanceToHole = (hole - home) & mask
            if distanceToHole < distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = Self.empty
        count -= 1
    }

    mutating func grow(_ conversations: ContiguousArray<Conversation>) {
        let old = slots
        slots = [UInt64](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        for value in old where value != Self.empty {
            let index = Int32(truncatingIfNeeded: value)
            place(conversations[Int(index)].key.fastHash, index: index)
        }
    }
}
