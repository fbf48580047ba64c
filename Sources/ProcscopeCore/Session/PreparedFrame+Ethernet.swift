/// The most common frame read from a file, prepared plain without the general decoder: Ethernet (no VLAN tag),
/// IPv4 (not a fragment, its length stated) or IPv6 (no extension header), carrying TCP or UDP from a port that
/// sends no DNS answers. Any other frame, or any field out of line, is left to `FrameDecoder`.
///
/// The general decoder returns a whole `DecodedFrame` inside a `FrameDecodeResult`, some 120 bytes moved
/// through the stack twice before the fields reach the slot; reading a file of small frames that was over two
/// fifths of the reader thread's samples, and the reader thread bounds `capture -r` once counting keeps up.
/// Every field written here is what `prepare` writes from the general decoder's result for the same bytes:
/// `PreparedFrameTests` checks it on edge frames and 20,000 damaged copies of them, and the `frame-decoder`
/// fuzz target on every input it makes.
extension PreparedFrame {
    @inline(__always)
    static func preparePlainEthernet(_ slot: UnsafeMutablePointer<PreparedFrame>, _ bytes: UnsafeRawBufferPointer)
        -> Bool {
        guard bytes.count >= 14 + 40 else { return false } // the IPv6 header; IPv4 needs less, checked below
        let transport: Int, ipLength: UInt32, proto: UInt8
        switch bytes.u16(12) {
        case 0x0800:
            let versionIHL = bytes.u8(14)
            let headerLength = Int(versionIHL & 0x0F) * 4
            guard versionIHL >> 4 == 4, headerLength >= 20 else { return false }
            let totalLength = bytes.u16(16)
            // A TSO super-packet (length 0), a length short of the header, or a fragment: the decoder's cases.
            guard totalLength != 0, Int(totalLength) >= headerLength, bytes.u16(20) & 0x3FFF == 0 else { return false }
            transport = 14 + headerLength
            ipLength = UInt32(totalLength)
            proto = bytes.u8(23)
            slot.pointee.first = IPAddress(ipv4: bytes.u32(26))
            slot.pointee.second = IPAddress(ipv4: bytes.u32(30))
        case 0x86DD:
            let payloadLength = bytes.u16(18)
            // A jumbogram or GRO super-packet (length 0): the decoder's case.
            guard bytes.u8(14) >> 4 == 6, payloadLength != 0 else { return false }
            transport = 14 + 40
            ipLength = 40 + UInt32(payloadLength)
            proto = bytes.u8(20) // an extension header is neither TCP nor UDP: left to the decoder
            slot.pointee.first = IPAddress(high: bytes.u64(22), low: bytes.u64(30))
            slot.pointee.second = IPAddress(high: bytes.u64(38), low: bytes.u64(46))
        default:
            return false
        }
        guard proto == IPProtocol.tcp.rawValue || proto == IPProtocol.udp.rawValue, bytes.count >= transport + 4 else {
            return false
        }
        let sourcePort = bytes.u16(transport)
        // A DNS answer's names are read when it is counted: handed over whole.
        guard !DNSAnswers.isAnswerPort(sourcePort) else { return false }
        slot.pointee.sourcePort = sourcePort
        slot.pointee.destinationPort = bytes.u16(transport + 2)
        slot.pointee.ipLength = ipLength
        slot.pointee.proto = IPProtocol(rawValue: proto)
        slot.pointee.tcpFlags = proto == IPProtocol.tcp.rawValue && bytes.count >= transport + 14
            ? TCPFlags(rawValue: bytes.u8(transport + 13)) : []
        slot.pointee.packetType = .unknown
        slot.pointee.icmpType = 0
        slot.pointee.hasPorts = true
        slot.pointee.isPlain = true
        slot.pointee.hash = slot.pointee.sentKey.symmetricHash
        return true
    }
}
