/// Decodes a captured frame of one link type down to its transport ports.
///
/// Never traps and never trusts a length: every read is preceded by a range check against the captured
/// bytes, the IPv4 IHL and the IPv6 extension-header chain are followed, and `wireLength` (the frame's length
/// on the wire) is used only to recover IP lengths the header cannot state.
public struct FrameDecoder: Sendable {
    public let linkType: LinkType

    public init(linkType: LinkType) {
        self.linkType = linkType
    }

    /// Decodes one frame. `bytes` are the captured bytes (caplen), `wireLength` the original length (len).
    @inlinable
    public func decode(_ bytes: UnsafeRawBufferPointer, wireLength: Int) -> FrameDecodeResult {
        var link = LinkInfo()
        let networkOffset: Int
        let etherType: EtherType
        switch linkType {
        case .ethernet:
            guard bytes.count >= 14 else { return .failed(link, .truncatedLinkHeader) }
            var offset = 12
            var type = EtherType(rawValue: bytes.u16(offset))
            while type.isVLANTag {
                offset += 4
                guard bytes.count >= offset + 2 else { return .failed(link, .truncatedLinkHeader) }
                type = EtherType(rawValue: bytes.u16(offset))
            }
            networkOffset = offset + 2
            etherType = type
        case .linuxSLL:
            // linux/if_packet.h cooked header v1: pkttype, hatype, halen, addr[8], protocol (16 bytes).
            guard bytes.count >= 16 else { return .failed(link, .truncatedLinkHeader) }
            link.packetType = PacketType(rawValue: UInt8(truncatingIfNeeded: bytes.u16(0)))
            var offset = 14
            var type = EtherType(rawValue: bytes.u16(offset))
            while type.isVLANTag {
                offset += 4
                guard bytes.count >= offset + 2 else { return .failed(link, .truncatedLinkHeader) }
                type = EtherType(rawValue: bytes.u16(offset))
            }
            networkOffset = offset + 2
            etherType = type
        case .linuxSLL2:
            // Cooked header v2: protocol, reserved, ifindex, hatype, pkttype, halen, addr[8] (20 bytes).
            guard bytes.count >= 20 else { return .failed(link, .truncatedLinkHeader) }
            link.interfaceIndex = bytes.u32(4)
            link.packetType = PacketType(rawValue: bytes.u8(10))
            var type = EtherType(rawValue: bytes.u16(0))
            var offset = 20
            while type.isVLANTag {
                guard bytes.count >= offset + 4 else { return .failed(link, .truncatedLinkHeader) }
                type = EtherType(rawValue: bytes.u16(offset + 2))
                offset += 4
            }
            networkOffset = offset
            etherType = type
        case .raw, .rawOpenBSD, .rawFile, .ipv4, .ipv6:
            guard bytes.count >= 1 else { return .failed(link, .truncatedIPHeader) }
            switch bytes.u8(0) >> 4 {
            case 4: etherType = .ipv4
            case 6: etherType = .ipv6
            default: return .failed(link, .badIPVersion)
            }
            networkOffset = 0
        case .null, .loop:
            guard bytes.count >= 4 else { return .failed(link, .truncatedLinkHeader) }
            // The family is in the writer's byte order for NULL; try both. AF_INET is 2 everywhere; AF_INET6 is
            // 10 (Linux), 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (Darwin).
            let family = linkType == .loop ? bytes.u32(0) : min(bytes.u32(0), bytes.u32LittleEndian(0))
            switch family {
            case 2: etherType = .ipv4
            case 10, 24, 28, 30: etherType = .ipv6
            default: etherType = EtherType(rawValue: UInt16(truncatingIfNeeded: family))
            }
            networkOffset = 4
        default:
            return .failed(link, .unsupportedLinkType)
        }
        let linkLength = networkOffset
        switch etherType {
        case .ipv4:
            return decodeIPv4(bytes, at: networkOffset, ipWireLength: wireLength - linkLength, link: link)
        case .ipv6:
            return decodeIPv6(bytes, at: networkOffset, ipWireLength: wireLength - linkLength, link: link)
        default:
            return .notIP(link, etherType)
        }
    }

    /// RFC 791: version, IHL, total length, identification, flags/fragment offset, protocol, addresses.
    @inlinable
    func decodeIPv4(_ bytes: UnsafeRawBufferPointer, at ip: Int, ipWireLength: Int,
                    link: LinkInfo) -> FrameDecodeResult {
        guard bytes.count >= ip + 20 else { return .failed(link, .truncatedIPHeader) }
        let versionIHL = bytes.u8(ip)
        guard versionIHL >> 4 == 4 else { return .failed(link, .badIPVersion) }
        let headerLength = Int(versionIHL & 0x0F) * 4
        guard headerLength >= 20 else { return .failed(link, .badIPHeaderLength) }
        guard bytes.count >= ip + headerLength else { return .failed(link, .truncatedIPHeader) }
        let totalLength = Int(bytes.u16(ip + 2))
        let ipLength: Int
        if totalLength == 0 {
            // TSO/GSO super-packet or BIG TCP: the header cannot state the length, the frame can.
            ipLength = max(ipWireLength, headerLength)
        } else {
            guard totalLength >= headerLength else { return .failed(link, .badIPTotalLength) }
            ipLength = totalLength
        }
        let flagsOffset = bytes.u16(ip + 6)
        let identification = UInt32(bytes.u16(ip + 4))
        let fragmentOffset = flagsOffset & 0x1FFF
        let moreFragments = flagsOffset & 0x2000 != 0
        let fragment: Fragment = fragmentOffset != 0 ? .later(identification: identification)
            : (moreFragments ? .first(identification: identification) : .none)
        var frame = DecodedFrame(
            link: link, ipVersion: 4,
            source: IPAddress(ipv4: bytes.u32(ip + 12)), destination: IPAddress(ipv4: bytes.u32(ip + 16)),
            proto: IPProtocol(rawValue: bytes.u8(ip + 9)), ipLength: UInt32(truncatingIfNeeded: ipLength),
            fragment: fragment, networkOffset: ip, transportOffset: ip + headerLength)
        if case .later = fragment { return .ip(frame) }
        return decodeTransport(bytes, into: &frame)
    }

    /// RFC 8200: fixed header, then the extension-header chain up to the transport header.
    @inlinable
    func decodeIPv6(_ bytes: UnsafeRawBufferPointer, at ip: Int, ipWireLength: Int,
                    link: LinkInfo) -> FrameDecodeResult {
        guard bytes.count >= ip + 40 else { return .failed(link, .truncatedIPHeader) }
        guard bytes.u8(ip) >> 4 == 6 else { return .failed(link, .badIPVersion) }
        let payloadLength = Int(bytes.u16(ip + 4))
        // Payload length 0 is a jumbogram (RFC 2675) or a GRO/BIG TCP super-packet: use the frame's length.
        let ipLength = payloadLength == 0 ? max(ipWireLength, 40) : 40 + payloadLength
        var next = IPProtocol(rawValue: bytes.u8(ip + 6))
        var offset = ip + 40
        var fragment = Fragment.none
        var remainingHeaders = 16 // a longer chain is malformed or hostile
        extensionHeaders: while remainingHeaders > 0 {
            remainingHeaders -= 1
            switch next {
            case .hopByHop, .ipv6Routing, .ipv6DestinationOptions, .mobility, .hip, .shim6:
                guard bytes.count >= offset + 2 else { return .failed(link, .truncatedIPHeader) }
                next = IPProtocol(rawValue: bytes.u8(offset))
                offset += (Int(bytes.u8(offset + 1)) + 1) * 8
            case .ah:
                // RFC 4302: the length is in 4-octet units, minus 2.
                guard bytes.count >= offset + 2 else { return .failed(link, .truncatedIPHeader) }
                next = IPProtocol(rawValue: bytes.u8(offset))
                offset += (Int(bytes.u8(offset + 1)) + 2) * 4
            case .ipv6Fragment:
                guard bytes.count >= offset + 8 else { return .failed(link, .truncatedIPHeader) }
                next = IPProtocol(rawValue: bytes.u8(offset))
                let offsetFlags = bytes.u16(offset + 2)
                let identification = bytes.u32(offset + 4)
                if offsetFlags & 0xFFF8 != 0 {
                    fragment = .later(identification: identification)
                } else if offsetFlags & 1 != 0 {
                    fragment = .first(identification: identification)
                }
                offset += 8
            default:
                break extensionHeaders
            }
        }
        if remainingHeaders == 0 { return .failed(link, .badExtensionHeader) }
        guard offset <= ip + ipLength || payloadLength == 0 else { return .failed(link, .badExtensionHeader) }
        var frame = DecodedFrame(
            link: link, ipVersion: 6,
            source: IPAddress(high: bytes.u64(ip + 8), low: bytes.u64(ip + 16)),
            destination: IPAddress(high: bytes.u64(ip + 24), low: bytes.u64(ip + 32)),
            proto: next, ipLength: UInt32(truncatingIfNeeded: ipLength), fragment: fragment,
            networkOffset: ip, transportOffset: offset)
        if case .later = fragment { return .ip(frame) }
        return decodeTransport(bytes, into: &frame)
    }

    /// The packet an ICMP error quotes (RFC 792, RFC 4443: its IP header and at least 8 bytes of transport
    /// header, 8 bytes into the ICMP message), decoded down to its ports; nil when too little was quoted.
    public func decodeQuoted(_ bytes: UnsafeRawBufferPointer, of error: DecodedFrame) -> DecodedFrame? {
        let inner = error.transportOffset + 8
        guard bytes.count >= inner + 1 else { return nil }
        let remaining = bytes.count - inner
        let result = bytes.u8(inner) >> 4 == 4
            ? decodeIPv4(bytes, at: inner, ipWireLength: remaining, link: error.link)
            : decodeIPv6(bytes, at: inner, ipWireLength: remaining, link: error.link)
        guard case .ip(let quoted) = result, quoted.hasPorts else { return nil }
        return quoted
    }

    /// Ports for TCP/UDP/UDP-Lite/SCTP, flags for TCP, type/code (and the echo identifier) for ICMP.
    @inlinable
    func decodeTransport(_ bytes: UnsafeRawBufferPointer, into frame: inout DecodedFrame) -> FrameDecodeResult {
        let offset = frame.transportOffset
        if frame.proto.carriesPorts {
            guard bytes.count >= offset + 4 else { return .failed(frame.link, .truncatedTransportHeader) }
            frame.sourcePort = bytes.u16(offset)
            frame.destinationPort = bytes.u16(offset + 2)
            frame.hasPorts = true
            if frame.proto == .tcp && bytes.count >= offset + 14 {
                frame.tcpFlags = TCPFlags(rawValue: bytes.u8(offset + 13))
            }
            if DNSAnswers.isAnswerPort(frame.sourcePort) {
                frame.carriesDNSAnswers = DNSAnswers.messageRange(
                    in: bytes, proto: frame.proto, sourcePort: frame.sourcePort, transportOffset: offset,
                    ipEnd: frame.networkOffset + Int(frame.ipLength)) != nil
            }
        } else if frame.proto == .icmp || frame.proto == .icmpv6 {
            guard bytes.count >= offset + 2 else { return .failed(frame.link, .truncatedTransportHeader) }
            frame.icmpType = bytes.u8(offset)
            frame.icmpCode = bytes.u8(offset + 1)
            let isEcho = frame.proto == .icmp ? (frame.icmpType == 0 || frame.icmpType == 8)
                : (frame.icmpType == 128 || frame.icmpType == 129)
            if isEcho && bytes.count >= offset + 6 {
                let identifier = bytes.u16(offset + 4)
                frame.sourcePort = identifier
                frame.destinationPort = identifier
                frame.hasPorts = true
            }
        }
        return .ip(frame)
    }
}
