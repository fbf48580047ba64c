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
        for i in 0..<hashes.count where hashes[i] == hash && interfaces[i] != interfaceIndex
            && time.microseconds - times[i] <= windowMicros {
            return true
        }
        hashes[next] = hash
        interfaces[next] = interfaceIndex
        times[next] = time.microseconds
        next = (next + 1) % hashes.count
        return false
    }

    static func identity(_ bytes: UnsafeRawBufferPointer, ipOffset: Int, ipVersion: UInt8) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        let header = ipVersion == 4 ? 20 : 40
        let end = min(bytes.count, ipOffset + header + 16)
        var i = ipOffset
        while i < end {
            let relative = i - ipOffset
            // Skip what a router or NAT rewrites: IPv4 TTL (8), checksum (10-11), addresses (12-19); IPv6 hop
            // limit (7), addresses (8-39); then the ports and a UDP checksum (transport 0-3, 6-7).
            let skip = ipVersion == 4 ? (relative == 8 || relative == 10 || relative == 11 || (relative >= 12 && relative < 20))
                : (relative == 7 || (relative >= 8 && relative < 40))
            let transport = relative - header
            let skipTransport = transport >= 0 && (transport < 4 || transport == 6 || transport == 7)
            if !skip && !skipTransport { h = (h ^ UInt64(bytes.u8(i))) &* 0x100_0000_01B3 }
            i += 1
        }
        return h
    }
}
