import ProcscopeCore
import ProcscopeLinux
import Testing

/// Every link type and protocol path, read by libpcap from capture files under Fixtures/pcap and decoded.
@Suite struct FixtureCaptureDecodingTests {
    /// Decodes every frame of a fixture file.
    static func decode(_ name: String) throws -> [FrameDecodeResult] {
        let source = try PcapCaptureSource.file(path: Fixture.path("pcap/" + name), filter: nil)
        let decoder = FrameDecoder(linkType: source.linkType)
        var results: [FrameDecodeResult] = []
        while try source.dispatch(limit: 100, { bytes, length, _ in results.append(decoder.decode(bytes, wireLength: length)) }) != nil {}
        return results
    }

    static func frame(_ result: FrameDecodeResult) -> DecodedFrame? {
        if case .ip(let frame) = result { return frame }
        return nil
    }

    struct Expected: Sendable, CustomStringConvertible {
        let file: String
        let proto: IPProtocol
        let source: String
        let sourcePort: UInt16
        let destinationPort: UInt16
        let ipLength: UInt32
        var description: String { file }
    }

    @Test("The first frame of each fixture decodes to the right protocol, endpoints and IP length", arguments: [
        Expected(file: "ethernet-ipv4-tcp.pcap", proto: .tcp, source: "198.18.0.1", sourcePort: 40000, destinationPort: 80, ipLength: 40),
        Expected(file: "ethernet-vlan-qinq-ipv4-udp.pcap", proto: .udp, source: "198.18.0.1", sourcePort: 5353, destinationPort: 53, ipLength: 48),
        Expected(file: "sll-ipv6-udp-outgoing.pcap", proto: .udp, source: "fdbe:ac::1", sourcePort: 6000, destinationPort: 7000, ipLength: 80),
        Expected(file: "sll2-ipv4-tcp-ifindex.pcap", proto: .tcp, source: "198.18.0.2", sourcePort: 443, destinationPort: 50000, ipLength: 50),
        Expected(file: "raw-ipv6-extension-headers-tcp.pcap", proto: .tcp, source: "fdbe:ac::1", sourcePort: 1234, destinationPort: 22, ipLength: 84),
        Expected(file: "null-ipv4-udp.pcap", proto: .udp, source: "198.18.0.1", sourcePort: 1111, destinationPort: 2222, ipLength: 36),
        Expected(file: "loop-ipv6-udplite.pcap", proto: .udpLite, source: "fdbe:ac::1", sourcePort: 3333, destinationPort: 4444, ipLength: 56),
        Expected(file: "ethernet-ipv4-options-sctp.pcap", proto: .sctp, source: "198.18.0.1", sourcePort: 9000, destinationPort: 9001, ipLength: 36),
        Expected(file: "ethernet-icmp-echo.pcap", proto: .icmp, source: "198.18.0.1", sourcePort: 0x1234, destinationPort: 0x1234, ipLength: 84),
        Expected(file: "pcapng-ethernet-ipv4-tcp.pcapng", proto: .tcp, source: "198.18.0.1", sourcePort: 40001, destinationPort: 8080, ipLength: 40),
        // TSO super-packet: total length 0, so the IP length comes from the wire length (64014 - 14).
        Expected(file: "ethernet-ipv4-tso-zero-length.pcap", proto: .tcp, source: "198.18.0.1", sourcePort: 40000, destinationPort: 80, ipLength: 64000),
    ])
    func firstFrameDecodes(_ expected: Expected) throws {
        let results = try Self.decode(expected.file)
        let first = try #require(results.first)
        let frame = try #require(Self.frame(first))
        #expect(frame.proto == expected.proto)
        #expect(frame.source.description == expected.source)
        #expect(frame.hasPorts)
        #expect(frame.sourcePort == expected.sourcePort)
        #expect(frame.destinationPort == expected.destinationPort)
        #expect(frame.ipLength == expected.ipLength)
    }

    @Test("Cooked headers carry direction and interface: SLL outgoing, SLL2 ifindex 7 to host")
    func cookedHeadersCarryDirectionAndInterface() throws {
        let outgoingResult = try Self.decode("sll-ipv6-udp-outgoing.pcap")[0]
        let outgoing = try #require(Self.frame(outgoingResult))
        #expect(outgoing.link.packetType == .outgoing)
        let hostResult = try Self.decode("sll2-ipv4-tcp-ifindex.pcap")[0]
        let host = try #require(Self.frame(hostResult))
        #expect(host.link.packetType == .host)
        #expect(host.link.interfaceIndex == 7)
    }

    @Test("TCP flags are decoded: SYN, then SYN-ACK, then PSH-ACK")
    func tcpFlagsAreDecoded() throws {
        let flags = try Self.decode("ethernet-ipv4-tcp.pcap").map { Self.frame($0)?.tcpFlags }
        #expect(flags == [[.syn], [.syn, .ack], [.psh, .ack]])
    }

    @Test("IPv4 and IPv6 fragments: the first carries ports, later ones are marked and carry none")
    func fragmentsAreMarked() throws {
        let v4 = try Self.decode("ethernet-ipv4-fragments.pcap").compactMap(Self.frame)
        try #require(v4.count == 3)
        #expect(v4[0].fragment == .first(identification: 77) && v4[0].sourcePort == 5000)
        #expect(v4[1].fragment == .later(identification: 77) && !v4[1].hasPorts)
        let v6 = try Self.decode("ethernet-ipv6-fragments.pcap").compactMap(Self.frame)
        try #require(v6.count == 2)
        #expect(v6[0].fragment == .first(identification: 0xABCD) && v6[0].proto == .udp && v6[0].sourcePort == 5001)
        #expect(v6[1].fragment == .later(identification: 0xABCD) && !v6[1].hasPorts)
    }

    @Test("ARP is recognised as not IP")
    func arpIsNotIP() throws {
        #expect(try Self.decode("ethernet-arp.pcap") == [.notIP(LinkInfo(), .arp)])
    }

    @Test("Malformed frames decode to the right failure, never a trap")
    func malformedFramesFail() throws {
        let failures = try Self.decode("ethernet-malformed.pcap").map { result -> DecodeFailure? in
            if case .failed(_, let failure) = result { return failure }
            return nil
        }
        #expect(failures == [.truncatedIPHeader, .badIPHeaderLength, .badIPVersion, .badIPTotalLength,
                             .truncatedTransportHeader, .badExtensionHeader, .truncatedLinkHeader])
    }

    @Test("Every prefix of every fixture frame decodes without trapping")
    func everyPrefixDecodes() throws {
        let files = try FileManagerLite.list(Fixture.path("pcap")).filter { $0.hasSuffix(".pcap") && !$0.hasPrefix("corrupt") && !$0.hasPrefix("not-") }
        var decoded = 0
        for file in files {
            let source = try PcapCaptureSource.file(path: Fixture.path("pcap/" + file), filter: nil)
            let decoder = FrameDecoder(linkType: source.linkType)
            while try source.dispatch(limit: 100, { bytes, length, _ in
                for count in 0...bytes.count {
                    _ = decoder.decode(UnsafeRawBufferPointer(rebasing: bytes[0..<count]), wireLength: length)
                    decoded += 1
                }
            }) != nil {}
        }
        #expect(decoded > 1000)
    }
}
