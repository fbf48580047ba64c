extension CaptureReport.ConversationEntry {
    /// The conversation's name across outputs and runs: 16 hex digits hashed from its protocol, its two ends
    /// (in order: the client's and the server's conversations of one loopback connection differ) and its
    /// first frame's time. Every NDJSON line of a conversation carries it, so a log store (Loki,
    /// Elasticsearch) can update one record instead of keeping each line; the JSON export and a re-read
    /// annotated file give the same id. Slot numbers would not do: they are reused.
    public var stableID: String {
        let digits = String(stableIDValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The id's 64 bits (the JSON writes them as hex without making a string first).
    public var stableIDValue: UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 // FNV-1a, fixed: the id must not change between runs
        func mix(_ value: UInt64) {
            var value = value
            for _ in 0..<8 {
                hash = (hash ^ (value & 0xFF)) &* 0x0000_0100_0000_01B3
                value >>= 8
            }
        }
        mix(UInt64(key.proto.rawValue) | (key.hasPorts ? 0x100 : 0))
        func mixEnd(_ end: Endpoint) {
            mix(end.address.high)
            mix(end.address.low)
            mix(UInt64(end.port))
        }
        mixEnd(key.local)
        mixEnd(key.remote)
        mix(UInt64(bitPattern: firstSeen.microseconds))
        return hash
    }
}
