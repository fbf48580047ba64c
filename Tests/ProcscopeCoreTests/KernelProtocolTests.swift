import ProcscopeCore
import Testing

/// Protocols only the kernel speaks are kernel traffic without a lookup; everything else is looked up.
@Suite struct KernelProtocolTests {
    static func request(_ proto: IPProtocol, icmpType: UInt8) -> AttributionRequest {
        let key = FlowKey(proto: proto, local: Endpoint(address: .ipv6Loopback, port: 0),
                          remote: Endpoint(address: .ipv6Any, port: 0), hasPorts: false)
        return AttributionRequest(conversation: 0, key: key, firstSeen: .zero, firstFrameOutgoing: true,
                                  firstTCPFlags: [], firstICMPType: icmpType)
    }

    @Test("IGMP, MLD and neighbour solicitations/advertisements are the kernel's", arguments: [
        (IPProtocol.igmp, UInt8(0)), (.icmpv6, 130), (.icmpv6, 131), (.icmpv6, 143), (.icmpv6, 135), (.icmpv6, 136),
    ])
    func kernelProtocols(proto: IPProtocol, icmpType: UInt8) {
        #expect(Self.request(proto, icmpType: icmpType).kernelProtocol != nil)
    }

    @Test("Echo, router advertisements (radvd sends them) and transport protocols are not", arguments: [
        (IPProtocol.icmpv6, UInt8(128)), (.icmpv6, 134), (.icmp, 8), (.tcp, 0), (.udp, 0),
    ])
    func otherProtocols(proto: IPProtocol, icmpType: UInt8) {
        #expect(Self.request(proto, icmpType: icmpType).kernelProtocol == nil)
    }
}
