/// A frame read and decoded ahead of being counted, in one cache line (64 bytes).
///
/// Reading a file, frames arrive as fast as memory gives them, and on a table of tens of thousands of flows
/// nearly every frame's index entry and conversation record miss the cache: counted one after another, each
/// frame waits out its own misses (most of the time `capture -r` took beyond tcpdump's, measured with perf).
/// Decoded in batches ahead of being counted (on a second core when there is one: `FileReadAhead`), a frame's
/// index entry is hinted into cache a few frames before it is counted and its record half-way, so the misses of
/// several frames overlap. Frames are still counted one at a time, in order, exactly as `ingest` counts them:
/// the hints change when memory is read, never what is counted. Decoding is pure, so it may run on any thread.
///
/// Most frames are handed over **plain**: the few fields counting reads, and no bytes. A frame whose counting
/// reads more (not IP, undecodable, a fragment, a DNS answer, an ICMP error or echo) is handed over **whole**:
/// its bytes, decoded again where it is counted. Plain, a frame is one line written by the reader's core and
/// read by the counting one; the whole decode result was three (160 bytes), and those transfers, with the copy
/// of the result out of its enum, were a third of the counting thread's time at 50,000 flows (perf).
public struct PreparedFrame: @unchecked Sendable {
    /// `FlowKey.symmetricHash` of a plain frame's tuple as sent; 0 for a frame handed over whole.
    public internal(set) var hash: UInt64
    public internal(set) var time: Timestamp
    /// Plain: the source address. Whole: the bytes' address (`high`) and count (`low`). Read through
    /// `sentKey` and `bytes`.
    var first: IPAddress
    /// Plain: the destination address. Whole: the wire length (`low`).
    var second: IPAddress
    public internal(set) var sourcePort: UInt16
    public internal(set) var destinationPort: UInt16
    public internal(set) var ipLength: UInt32
    public internal(set) var proto: IPProtocol
    public internal(set) var tcpFlags: TCPFlags
    public internal(set) var packetType: PacketType
    public internal(set) var icmpType: UInt8
    public internal(set) var hasPorts: Bool
    /// Whether the frame is handed over plain (its fields) rather than whole (its bytes).
    public internal(set) var isPlain: Bool

    /// Decodes a frame straight into the prepared frame at `slot`, uninitialized memory or a frame already
    /// counted (a prepared frame holds no references, so either may be overwritten). `plain`: whether the
    /// session counting it takes plain frames (`CaptureSession.takesPlainFrames`); if not, every frame is
    /// handed over whole. The bytes of a whole frame must stay readable until it is counted (a mapped file's do).
    @inline(__always)
    public static func prepare(_ slot: UnsafeMutablePointer<PreparedFrame>, decoding bytes: UnsafeRawBufferPointer,
                               wireLength: Int, at time: Timestamp, with decoder: FrameDecoder, plain: Bool) {
        slot.pointee.time = time
        if plain && decoder.linkType == .ethernet && preparePlainEthernet(slot, bytes) { return }
        prepareDecoding(slot, bytes, wireLength: wireLength, with: decoder, plain: plain)
    }

    /// `prepare` through the general decoder (any frame, any link type); the time is set.
    @inline(__always)
    static func prepareDecoding(_ slot: UnsafeMutablePointer<PreparedFrame>, _ bytes: UnsafeRawBufferPointer,
                                wireLength: Int, with decoder: FrameDecoder, plain: Bool) {
        if plain, case .ip(let frame) = decoder.decode(bytes, wireLength: wireLength), isPlain(frame) {
            slot.pointee.first = frame.source
            slot.pointee.second = frame.destination
            slot.pointee.sourcePort = frame.sourcePort
            slot.pointee.destinationPort = frame.destinationPort
            slot.pointee.ipLength = frame.ipLength
            slot.pointee.proto = frame.proto
            slot.pointee.tcpFlags = frame.tcpFlags
            slot.pointee.packetType = frame.link.packetType
            slot.pointee.icmpType = frame.icmpType
            slot.pointee.hasPorts = frame.hasPorts
            slot.pointee.isPlain = true
            slot.pointee.hash = frame.sentKey.symmetricHash
        } else {
            slot.pointee.first = IPAddress(high: UInt64(UInt(bitPattern: bytes.baseAddress)), low: UInt64(bytes.count))
            slot.pointee.second = IPAddress(high: 0, low: UInt64(wireLength))
            slot.pointee.isPlain = false
            slot.pointee.hash = 0
        }
    }

    /// Whether counting `frame` reads nothing but what a plain frame holds: the session's `account` reads a
    /// frame's bytes again for DNS answers (names), ICMP errors (the quoted packet), and fragments and echo
    /// messages take their own paths.
    @inline(__always)
    static func isPlain(_ frame: DecodedFrame) -> Bool {
        frame.fragment == .none && !frame.carriesDNSAnswers && !frame.isICMPError && !frame.isEcho
    }

    /// A plain frame's tuple as sent: its sender as the local end.
    @inline(__always) public var sentKey: FlowKey {
        FlowKey(proto: proto, local: Endpoint(address: first, port: sourcePort),
                remote: Endpoint(address: second, port: destinationPort), hasPorts: hasPorts)
    }

    /// What counting a plain frame in a conversation reads of it.
    @inline(__always) public var tally: FrameTally {
        FrameTally(ipLength: ipLength, tcpFlags: tcpFlags, icmpType: icmpType)
    }

    /// A plain frame as the decoder gave it, for the session's general path (a live configuration, a NAT
    /// table): everything counting reads of a plain frame is kept; the offsets, the interface index and the
    /// ICMP code, which only whole frames' paths read, are 0.
    public var decodedFrame: DecodedFrame {
        DecodedFrame(link: LinkInfo(packetType: packetType), ipVersion: first.isIPv4 && second.isIPv4 ? 4 : 6,
                     source: first, destination: second, proto: proto, hasPorts: hasPorts, sourcePort: sourcePort,
                     destinationPort: destinationPort, ipLength: ipLength, tcpFlags: tcpFlags, icmpType: icmpType)
    }

    /// A whole frame's captured bytes.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(first.high)), count: Int(first.low))
    }

    /// A whole frame's length on the wire.
    public var wireLength: Int { Int(second.low) }
}

extension PreparedFrame: Equatable {
    /// Whether two prepared frames hand over the same thing: plain, the same fields and time; whole, the same
    /// bytes (at the same place), wire length and time. What a plain frame does not use is not compared.
    public static func == (lhs: PreparedFrame, rhs: PreparedFrame) -> Bool {
        guard lhs.isPlain == rhs.isPlain, lhs.time == rhs.time else { return false }
        guard lhs.isPlain else {
            return lhs.bytes.baseAddress == rhs.bytes.baseAddress && lhs.bytes.count == rhs.bytes.count
                && lhs.wireLength == rhs.wireLength
        }
        return lhs.sentKey == rhs.sentKey && lhs.ipLength == rhs.ipLength && lhs.tcpFlags == rhs.tcpFlags
            && lhs.packetType == rhs.packetType && lhs.icmpType == rhs.icmpType && lhs.hash == rhs.hash
    }
}
