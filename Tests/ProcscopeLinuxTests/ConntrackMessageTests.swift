@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// ctnetlink messages (linux/netfilter/nfnetlink_conntrack.h) as procscope reads them.
@Suite struct ConntrackMessageTests {
    /// A netlink attribute: little-endian length and type (NLA_F_NESTED for nests), value, padding.
    func attribute(_ type: UInt16, _ value: [UInt8], nested: Bool = false) -> [UInt8] {
        let length = UInt16(4 + value.count)
        let kind = type | (nested ? 0x8000 : 0)
        var bytes = [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(kind & 0xFF), UInt8(kind >> 8)] + value
        while bytes.count % 4 != 0 { bytes.append(0) }
        return bytes
    }

    func tuple(_ source: [UInt8], _ destination: [UInt8], _ sourcePort: UInt16, _ destinationPort: UInt16) -> [UInt8] {
        attribute(1, attribute(1, source) + attribute(2, destination), nested: true)
            + attribute(2, attribute(1, [6]) + attribute(2, [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF)])
                        + attribute(3, [UInt8(destinationPort >> 8), UInt8(destinationPort & 0xFF)]), nested: true)
    }

    func message(status: UInt32) -> [UInt8] {
        [2, 0, 0, 0] // struct nfgenmsg: AF_INET, NFNETLINK_V0, res_id 0
            + attribute(1, tuple([198, 18, 5, 2], [198, 18, 6, 2], 40000, 80), nested: true)
            + attribute(2, tuple([198, 18, 6, 2], [198, 18, 6, 1], 80, 50000), nested: true)
            + attribute(3, [UInt8(status >> 24), UInt8(status >> 16 & 0xFF), UInt8(status >> 8 & 0xFF), UInt8(status & 0xFF)])
    }

    @Test("A source-NATed TCP connection gives its original and reply tuples")
    func sourceNATIsRead() throws {
        let binding = try #require(ConntrackMessage.binding(message(status: 0x19e))) // IPS_SEEN_REPLY | IPS_ASSURED | IPS_CONFIRMED | IPS_SRC_NAT | ...
        #expect(binding.proto == .tcp)
        #expect(binding.originalSource == Endpoint(address: IPAddress(ipv4: 0xC612_0502), port: 40000))
        #expect(binding.replyDestination == Endpoint(address: IPAddress(ipv4: 0xC612_0601), port: 50000))
        #expect(binding.translates)
    }

    @Test("A connection without NAT status, or cut short, gives nothing")
    func untranslatedOrDamagedGivesNothing() {
        #expect(ConntrackMessage.binding(message(status: 0x18e)) == nil)
        #expect(ConntrackMessage.binding(Array(message(status: 0x19e).prefix(30))) == nil)
    }
}
