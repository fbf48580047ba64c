@testable import ProcscopeCore
import Testing

/// A frame forwarded between two interfaces of an `any` capture is counted once: its copies are known by
/// what forwarding leaves alone; a loopback device's frames are never taken for copies.
@Suite struct DuplicateFrameFilterTests {
    static let frame = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 1000, destinationPort: 53,
                                         payload: 30)

    static func identity(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { DuplicateFrameFilter.identity($0, ipOffset: 0, ipVersion: 4) }
    }

    @Test("What a router or NAT rewrites (TTL, checksum, addresses, ports) leaves a frame's identity; its IP id does not")
    func identityIgnoresRewrites() {
        var routed = Self.frame
        routed[8] -= 1 // TTL
        routed[10] = 0x12; routed[11] = 0x34 // checksum
        routed[12..<20] = [10, 0, 0, 9, 10, 0, 0, 8] // addresses
        routed[20..<24] = [0x40, 0x00, 0x00, 0x35] // ports
        routed[26] = 0xAB; routed[27] = 0xCD // UDP checksum
        #expect(Self.identity(routed) == Self.identity(Self.frame))
        var other = Self.frame
        other[5] = 2 // IP identification
        #expect(Self.identity(other) != Self.identity(Self.frame))
        var payload = Self.frame
        payload[35] ^= 1 // the last transport byte hashed
        #expect(Self.identity(payload) != Self.identity(Self.frame))
    }

    @Test("A frame captured shorter than the bytes hashed is hashed as if zero-padded, without reading past it")
    func shortFrameIsPadded() {
        let short = Array(Self.frame.prefix(30))
        #expect(Self.identity(short) == Self.identity(short + [UInt8](repeating: 0, count: 6)))
        #expect(Self.identity([]) == Self.identity([UInt8](repeating: 0, count: 36)))
    }

    /// `frame` under a Linux cooked v2 header naming interface `index`, as an `any` capture hands it over.
    static func cooked(_ frame: [UInt8], on index: UInt32) -> [UInt8] {
        [0x08, 0x00, 0, 0] + FrameBuilder.be32(index) + [0x00, 0x01, 0 /* to us */, 6] + [UInt8](repeating: 0, count: 8)
            + frame
    }

    @Test("On any, a frame seen again on another interface is counted once, unless the device is loopback")
    func loopbackFramesAreNeverCopies() {
        func counted(loopback: UInt32?) -> (packets: UInt64, duplicates: UInt64) {
            var configuration = SessionConfiguration(localAddresses: LocalAddressSet([IPAddress(ipv4: 0xC612_0001)]),
                                                     deduplicateAcrossInterfaces: true)
            configuration.loopbackInterface = loopback
            let session = CaptureSession(linkType: .linuxSLL2, configuration: configuration,
                                         attributor: RecordingAttributor())
            session.ingest(Self.cooked(Self.frame, on: 3), at: 1_000)
            session.ingest(Self.cooked(Self.frame, on: 1), at: 1_010)
            return (session.counters.packets, session.counters.duplicates)
        }
        let routed = counted(loopback: nil), onLoopback = counted(loopback: 1)
        #expect(routed.packets == 1 && routed.duplicates == 1)
        #expect(onLoopback.packets == 2 && onLoopback.duplicates == 0)
    }
}
