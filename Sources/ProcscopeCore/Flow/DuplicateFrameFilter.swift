/// Drops the second copy of a frame seen on two interfaces of an `any` capture (forwarded traffic appears
/// on the way in and on the way out, e.g. a container's veth and the uplink).
///
/// A frame's identity is a hash of its IP header without the fields forwarding or NAT changes (TTL/hop
/// limit, checksum, addresses) plus the first transport bytes without the ports and the UDP checksum, mixed
/// with the hash of the frame's flow as procscope keys it (`flow`: after undoing NAT, so a masqueraded packet
/// seen on the container's veth and on the uplink is one frame); a copy is a frame with the same identity seen within
/// `window` on a *different* interface. A retransmission on the same interface is not a copy. Fixed-size
/// ring, no allocation per packet.
public struct DuplicateFrameFilter: Sendable {
    var hashes: [UInt64]
    var interfaces: [UInt32]
    var times: [Int64]
    var next = 0
    let windowMicros: Int64

    public init(size: Int = 64, windowMicros: Int64 = 20_000) {
        hashes = [UInt64](repeating: 0, count: size)
        interfaces = [UInt32](repeating: 0, count: size)
        times = [Int64](repeating: .min, count: size)
        self.windowMicros = windowMicros
    }

    /// True when this frame is a copy of one seen on another interface; otherwise remembers it.
    public mutating func isDuplicate(ipHeader bytes: UnsafeRawBufferPointer, ipOffset: Int, ipVersion: UInt8,
                                     interfaceIndex: UInt32, at time: Timestamp, flow: UInt64 = 0) -> Bool {
        let hash = Self.identity(bytes, ipOffset: ipOffset, ipVersion: ipVersion) ^ flow
        let copy = hashes.withUnsafeBufferPointer { hashes in
            // The hash is compared first: it rarely matches, and the other fields are read only when it does.
            for i in hashes.indices where hashes[i] == hash {
                // An empty slot (time .min) is no frame; `&-`: a clock stepped back is no crash.
                if interfaces[i] != interfaceIndex && times[i] != .min && time.microseconds &- times[i] <= windowMicros {
                    return true
                }
            }
            return false
        }
        if copy { return true }
        hashes[next] = hash
        interfaces[next] = interfaceIndex
        times[next] = time.microseconds
        next = next + 1 == hashes.count ? 0 : next + 1
        return false
    }

    /// The bytes a frame's copies share, hashed: the IP header's first 8 bytes and protocol (IPv4) or first 7
    /// (IPv6), and the first 16 transport bytes but the ports and a UDP checksum. Left out is what a router or
    /// NAT rewrites: IPv4 TTL (8), checksum (10-11), addresses (12-19); IPv6 hop limit (7), addresses (8-39);
    /// the ports and a UDP checksum (transport 0-3, 6-7). Read as four words (a byte-by-byte hash with a test
    /// per byte was most of the check's cost); a frame captured shorter is hashed as if zero-padded.
    static func identity(_ bytes: UnsafeRawBufferPointer, ipOffset: Int, ipVersion: UInt8) -> UInt64 {
        let header = ipVersion == 4 ? 20 : 40
        let needed = header + 16
        guard ipOffset >= 0, ipOffset <= bytes.count else { return 0 }
        guard bytes.count - ipOffset >= needed else {
            // Short: the bytes there are, zero-padded to the length read below.
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 56) { padded in
                padded.initialize(repeating: 0)
                let available = bytes.count - ipOffset
                for i in 0..<available { padded[i] = bytes[ipOffset + i] }
                return identity(UnsafeRawBufferPointer(padded), ipOffset: 0, ipVersion: ipVersion)
            }
        }
        let base = bytes.baseAddress.unsafelyUnwrapped + ipOffset
        let first = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        // IPv4: bytes 0-7 and the protocol (9); IPv6: bytes 0-6 (7 is the hop limit).
        let ip = ipVersion == 4 ? first ^ UInt64(base.load(fromByteOffset: 9, as: UInt8.self)) &* 0x9E37_79B9_7F4A_7C15
            : first & 0x00FF_FFFF_FFFF_FFFF
        // Transport bytes 4-5 of the first word (ports 0-3 and a UDP checksum 6-7 left out), all of the second.
        let transport = UInt64(littleEndian: (base + header).loadUnaligned(as: UInt64.self)) & 0x0000_FFFF_0000_0000
        let rest = UInt64(littleEndian: (base + header + 8).loadUnaligned(as: UInt64.self))
        var h = (ip &* 0xFF51_AFD7_ED55_8CCD) ^ (transport &+ (rest &* 0xC4CE_B9FE_1A85_EC53))
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 29)
    }
}
