/// A read-only map from IP addresses to values, built once and asked once or twice per frame (which
/// addresses are this host's, which namespace of it holds an address). Swift's `Set` and `Dictionary` hash
/// an `IPAddress` with seeded SipHash, which was 5-7% of procscope's CPU receiving bulk TCP on a veth (perf:
/// `Hasher` under `placement`); this table mixes the address's two words with two multiplications and
/// probes an open-addressed array at most a quarter full, so a miss usually ends at the first empty slot.
/// The set of addresses is the host's own, not the traffic's: no one sending packets chooses what collides.
public struct AddressTable<Value: Sendable>: Sendable {
    private var keys: [IPAddress] = []
    private var values: [Value?] = []
    private var mask = 0
    public private(set) var count = 0

    public init() {}

    /// The table of `pairs`; of an address given twice, the last value is kept.
    public init(_ pairs: some Sequence<(IPAddress, Value)>) {
        let entries = Array(pairs)
        guard !entries.isEmpty else { return }
        var capacity = 8
        while capacity < entries.count * 4 { capacity <<= 1 }
        keys = [IPAddress](repeating: IPAddress(high: 0, low: 0), count: capacity)
        values = [Value?](repeating: nil, count: capacity)
        mask = capacity - 1
        for (address, value) in entries {
            var slot = Self.slot(of: address, mask: mask)
            while values[slot] != nil && keys[slot] != address { slot = (slot + 1) & mask }
            if values[slot] == nil { count += 1 }
            keys[slot] = address
            values[slot] = value
        }
    }

    public var isEmpty: Bool { count == 0 }

    public subscript(address: IPAddress) -> Value? {
        guard count > 0 else { return nil }
        var slot = Self.slot(of: address, mask: mask)
        while let value = values[slot] {
            if keys[slot] == address { return value }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Every address in the table, in no particular order.
    public var addresses: [IPAddress] { keys.indices.filter { values[$0] != nil }.map { keys[$0] } }

    @inline(__always) private static func slot(of address: IPAddress, mask: Int) -> Int {
        var h = (address.high ^ 0x9E37_79B9_7F4A_7C15) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ address.low) &* 0xC4CE_B9FE_1A85_EC53
        return Int(truncatingIfNeeded: h >> 32) & mask
    }
}
