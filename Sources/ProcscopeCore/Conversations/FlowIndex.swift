import CCacheHints

/// Maps a `FlowKey` to the slot of its live conversation in a `ConversationTable`.
///
/// Open addressing with linear probing over 8-byte entries, keyed by `FlowKey.symmetricHash` (a key and its
/// reverse share a chain), with backward-shift deletion (no tombstones, so probes stay short however many
/// flows come and go). Each entry holds the conversation's slot and the upper 32 bits of its key's hash: a
/// probe compares that tag first and touches a conversation record (a cache miss on large tables) only when
/// the tag matches, so a lookup of an absent key costs no record access at all.
///
/// An entry's home (where its probe starts) is taken from the top bits of the hash, which the tag holds: a
/// resize places every entry again, and a removal shifts entries back, without reading a record's key (one
/// cache miss per entry, a tenth of the time new flows cost at 50,000 of them, when homes came from the low
/// bits).
///
/// The entries are raw memory, not an array: the index is read several times per frame from the capture
/// loop, and an array reached through a class pays a retain and release at each such read.
public final class FlowIndex {
    /// Tag in the upper 32 bits, conversation slot in the lower 32; `empty` when free.
    private var entries: UnsafeMutablePointer<UInt64>
    private var mask: Int
    /// 64 minus log2(capacity): a hash's top bits, shifted down by this, are its home entry.
    private var shift: UInt64
    public private(set) var count = 0

    static let empty = UInt64.max
    /// Entries allocated (a power of two, at least twice `count`).
    public var capacity: Int { mask + 1 }

    /// What the entries never shrink below.
    private let minimumCapacity: Int

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = Self.allocate(size)
        entries.initialize(repeating: Self.empty, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        minimumCapacity = size
    }

    deinit { entries.deallocate() }

    /// Entries for `size` (huge pages when large: `TableMemory`), not yet initialized.
    private static func allocate(_ size: Int) -> UnsafeMutablePointer<UInt64> {
        TableMemory.allocate(byteCount: size * MemoryLayout<UInt64>.stride, alignment: 64)
            .bindMemory(to: UInt64.self, capacity: size)
    }

    @inline(__always) static func tag(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF_0000_0000 }

    /// Where the probe for a key hashed `hash`, or for an entry (whose upper 32 bits are its hash's), starts:
    /// the top bits, which the tag keeps (capacities stay below 2^32 entries).
    @inline(__always) private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> shift) }

    /// The slot stored for `key`, comparing keys in `records`.
    @inline(__always)
    public func find(_ key: FlowKey, in records: UnsafePointer<Conversation>) -> Int32? {
        let hash = key.symmetricHash
        let tag = Self.tag(hash)
        var position = home(hash)
        while true {
            let value = entries[position]
            if value == Self.empty { return nil }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let slot = Int32(truncatingIfNeeded: value)
                if records[Int(slot)].key == key { return slot }
            }
            position = (position + 1) & mask
        }
    }

    /// The slot of `key`, or else of `key.reversed`, walking their shared chain once. `hash` is
    /// `key.symmetricHash`.
    @inline(__always)
    public func findEitherWay(_ key: FlowKey, hash: UInt64, in records: UnsafePointer<Conversation>)
        -> (slot: Int32, reversed: Bool)? {
        let tag = Self.tag(hash)
        var position = home(hash)
        var reversed: Int32?
        while true {
            let value = entries[position]
            if value == Self.empty { return reversed.map { ($0, true) } }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let slot = Int32(truncatingIfNeeded: value)
                let found = records[Int(slot)].key
                if found == key { return (slot, false) }
                if reversed == nil && found == key.reversed { reversed = slot }
            }
            position = (position + 1) & mask
        }
    }

    /// The slots of `key` and of `key.reversed`, walking their shared chain once: a loopback frame is its
    /// sender's tx and its receiver's rx, two conversations under one symmetric hash. A key that is its own
    /// reverse (a socket sending to itself) finds only `forward`. `hash` is `key.symmetricHash`.
    @inline(__always)
    public func findBothWays(_ key: FlowKey, hash: UInt64, in records: UnsafePointer<Conversation>)
        -> (forward: Int32?, reversed: Int32?) {
        let tag = Self.tag(hash)
        let reversedKey = key.reversed
        var position = home(hash)
        var forward: Int32?, reversed: Int32?
        while true {
            let value = entries[position]
            if value == Self.empty { return (forward, reversed) }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let slot = Int32(truncatingIfNeeded: value)
                let found = records[Int(slot)].key
                if forward == nil && found == key { forward = slot } else if reversed == nil && found == reversedKey { reversed = slot }
                if forward != nil && reversed != nil { return (forward, reversed) }
            }
            position = (position + 1) & mask
        }
    }

    /// Hints the processor to load the entry a key hashed `hash` starts probing at.
    @inline(__always) public func prefetch(hash: UInt64) {
        procscope_prefetch(entries + home(hash))
    }

    /// Hints the processor to load the record a key hashed `hash` most likely finds (the first entry of its
    /// chain with its tag), a few frames after `prefetch(hash:)` brought that entry in.
    @inline(__always)
    public func prefetchRecord(hash: UInt64, in records: UnsafePointer<Conversation>) {
        let tag = Self.tag(hash)
        var position = home(hash)
        for _ in 0..<4 {
            let value = entries[position]
            if value == Self.empty { return }
            if value & 0xFFFF_FFFF_0000_0000 == tag {
                let record = UnsafeRawPointer(records + Int(Int32(truncatingIfNeeded: value)))
                // Every line the record spans (two: records are 128 bytes from a line boundary).
                var line = 0
                while line < MemoryLayout<Conversation>.stride {
                    procscope_prefetch(record + line)
                    line += 64
                }
                return
            }
            position = (position + 1) & mask
        }
    }

    /// Stores `slot` for `key`, which must not be present.
    public func insert(_ key: FlowKey, slot: Int32) {
        if (count + 1) * 2 > capacity { resize(to: capacity * 2) }
        place(key.symmetricHash, slot: slot)
        count += 1
    }

    private func place(_ hash: UInt64, slot: Int32) {
        place(entry: Self.tag(hash) | UInt64(UInt32(bitPattern: slot)))
    }

    private func place(entry: UInt64) {
        var position = home(entry)
        while entries[position] != Self.empty { position = (position + 1) & mask }
        entries[position] = entry
    }

    /// Removes `key`, shifting back the entries that probed past it.
    public func remove(_ key: FlowKey, in records: UnsafePointer<Conversation>) {
        let hash = key.symmetricHash
        var position = home(hash)
        while true {
            let value = entries[position]
            if value == Self.empty { return }
            if value & 0xFFFF_FFFF_0000_0000 == Self.tag(hash),
               records[Int(Int32(truncatingIfNeeded: value))].key == key { break }
            position = (position + 1) & mask
        }
        var hole = position
        var next = (hole + 1) & mask
        while entries[next] != Self.empty {
            let home = home(entries[next])
            // Move the entry back if its home is not in the cyclic range (hole, next].
            let distanceToNext = (next - home) & mask
            let distanceToHole = (hole - home) & mask
            if distanceToHole < distanceToNext {
                entries[hole] = entries[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        entries[hole] = Self.empty
        count -= 1
    }

    /// Halves the entries while an eighth or less of them is used (a burst of flows that has ended), never
    /// below the initial size; a later burst grows them again.
    public func shrinkIfSparse() {
        var target = capacity
        while target / 2 >= minimumCapacity && count * 8 <= target { target /= 2 }
        if target < capacity { resize(to: target) }
    }

    private func resize(to size: Int) {
        let old = entries, oldCapacity = capacity
        entries = Self.allocate(size)
        entries.initialize(repeating: Self.empty, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        for position in 0..<oldCapacity where old[position] != Self.empty { place(entry: old[position]) }
        old.deallocate()
    }
}
