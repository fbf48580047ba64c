/// Reading a file, frames arrive as fast as memory gives them, and on a table of tens of thousands of flows
/// nearly every frame's index slot and conversation record miss the cache: counted one after another, each
/// frame waits out its own misses (most of the time `capture -r` took beyond tcpdump's, measured with perf).
/// Decoded a few frames ahead of being counted, a frame's slot is hinted into cache at once and its record
/// half-way, so the misses of several frames overlap. Frames are still counted one at a time, in order, with
/// exactly what `ingest` does: the hints change when memory is read, never what is counted.
final class FrameLookahead {
    struct Entry {
        var decoded: FrameDecodeResult
        var bytes: UnsafeRawBufferPointer
        var wireLength: Int
        var time: Timestamp
        /// The frame's flow as first keyed (`FlowKey.symmetricHash`); 0 for frames that are not IP.
        var hash: UInt64
    }

    /// Frames between decoding and counting: enough to cover a memory access at a few hundred nanoseconds of
    /// work per frame, few enough to stay in the first-level cache. A power of two.
    static let depth = 16
    /// Fixed storage, not an array: the ring is touched several times per frame, and an array held by a class
    /// costs a retain and a uniqueness check at each touch. Entries are plain values (no references).
    let ring = UnsafeMutablePointer<Entry>.allocate(capacity: FrameLookahead.depth)
    var head = 0
    var count = 0

    deinit { ring.deallocate() }

    @inline(__always) func entry(_ position: Int) -> UnsafeMutablePointer<Entry> {
        ring + ((head + position) & (Self.depth - 1))
    }

    /// Takes the oldest entry out.
    @inline(__always) func pop() -> Entry {
        let oldest = ring[head]
        head = (head + 1) & (Self.depth - 1)
        count -= 1
        return oldest
    }
}

extension CaptureSession {
    /// Like `ingest`, but the frame is counted up to `FrameLookahead.depth` frames later; `flushLookahead`
    /// counts the rest. For frames whose bytes stay valid until then (a mapped file's), nothing else: a live
    /// capture's buffer is reused by the next frame.
    public func ingestAhead(_ bytes: UnsafeRawBufferPointer, wireLength: Int, at time: Timestamp) {
        let decoded = decoder.decode(bytes, wireLength: wireLength)
        var hash: UInt64 = 0
        if case .ip(let frame) = decoded {
            hash = FlowKey(proto: frame.proto, local: Endpoint(address: frame.source, port: frame.sourcePort),
                           remote: Endpoint(address: frame.destination, port: frame.destinationPort),
                           hasPorts: frame.hasPorts).symmetricHash
            table.prefetch(hash: hash)
        }
        let depth = FrameLookahead.depth
        if lookahead.count == depth {
            let oldest = lookahead.pop()
            ingest(oldest.decoded, oldest.bytes, wireLength: oldest.wireLength, at: oldest.time)
        }
        lookahead.entry(lookahead.count).initialize(to: FrameLookahead.Entry(
            decoded: decoded, bytes: bytes, wireLength: wireLength, time: time, hash: hash))
        lookahead.count += 1
        // Half-way: the slot hinted then is in cache by now, and names the record to hint.
        if lookahead.count > depth / 2 {
            let middle = lookahead.entry(lookahead.count - 1 - depth / 2).pointee.hash
            if middle != 0 { table.prefetchRecord(hash: middle) }
        }
    }

    /// Counts every frame `ingestAhead` still holds.
    public func flushLookahead() {
        while lookahead.count > 0 {
            let oldest = lookahead.pop()
            ingest(oldest.decoded, oldest.bytes, wireLength: oldest.wireLength, at: oldest.time)
        }
    }
}
