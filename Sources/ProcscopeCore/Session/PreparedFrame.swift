/// A frame decoded ahead of being counted, with the hash of the flow it was first keyed as.
///
/// Reading a file, frames arrive as fast as memory gives them, and on a table of tens of thousands of flows
/// nearly every frame's index entry and conversation record miss the cache: counted one after another, each
/// frame waits out its own misses (most of the time `capture -r` took beyond tcpdump's, measured with perf).
/// Decoded in batches ahead of being counted (on a second core when there is one: `FileReadAhead`), a frame's
/// index entry is hinted into cache a few frames before it is counted and its record half-way, so the misses of
/// several frames overlap. Frames are still counted one at a time, in order, exactly as `ingest` counts them:
/// the hints change when memory is read, never what is counted. Decoding is pure, so it may run on any thread.
public struct PreparedFrame: @unchecked Sendable {
    public var decoded: FrameDecodeResult
    /// The captured bytes: they must stay readable until the frame is counted (a mapped file's do).
    public var bytes: UnsafeRawBufferPointer
    public var wireLength: Int
    public var time: Timestamp
    /// `FlowKey.symmetricHash` of the frame's addresses and ports as sent; 0 for frames that are not IP.
    public var hash: UInt64

    /// Decodes a frame straight into the prepared frame at `slot`, uninitialized memory or a frame already
    /// counted (a prepared frame holds no references, so either may be overwritten): built elsewhere and
    /// then copied in, the copy of its 150-odd bytes was about a tenth of the reader thread's samples (perf).
    @inline(__always)
    public static func prepare(_ slot: UnsafeMutablePointer<PreparedFrame>, decoding bytes: UnsafeRawBufferPointer,
                               wireLength: Int, at time: Timestamp, with decoder: FrameDecoder) {
        slot.pointee.decoded = decoder.decode(bytes, wireLength: wireLength)
        slot.pointee.bytes = bytes
        slot.pointee.wireLength = wireLength
        slot.pointee.time = time
        slot.pointee.hash = flowHash(of: slot.pointee.decoded)
    }

    /// `FlowKey.symmetricHash` of an IP frame's addresses and ports as sent; 0 for frames that are not IP.
    @inline(__always)
    static func flowHash(of decoded: FrameDecodeResult) -> UInt64 {
        guard case .ip(let frame) = decoded else { return 0 }
        return frame.sentKey.symmetricHash
    }
}
