/// Counting frames prepared ahead (`PreparedFrame`), with the caches hinted a few frames before each is counted.
extension CaptureSession {
    /// How far ahead of the frame being counted the index entry and the record are hinted: far enough to
    /// cover a memory access at a few hundred nanoseconds of work per frame.
    static let entryLookahead = 8, recordLookahead = 4

    /// Whether frames may be handed over plain (`PreparedFrame`, without their bytes): nothing that reads a
    /// counted frame's bytes is on (a packet listing or a packet file, which are given each frame's bytes; the
    /// duplicate check across interfaces, which hashes the IP header). Asked once, when reading ahead starts.
    public var takesPlainFrames: Bool { packetObserver == nil && !configuration.deduplicateAcrossInterfaces }

    /// Counts prepared frames in order, hinting the caches ahead; stops before a frame once `packetLimit`
    /// frames were counted in all. Returns how many it counted.
    public func ingest(_ frames: UnsafeBufferPointer<PreparedFrame>, packetLimit: UInt64? = nil) -> Int {
        for i in 0..<min(Self.entryLookahead, frames.count) where frames[i].hash != 0 {
            table.prefetch(hash: frames[i].hash)
        }
        for i in frames.indices {
            if let packetLimit, counters.packets >= packetLimit { return i }
            let ahead = i + Self.entryLookahead, half = i + Self.recordLookahead
            if ahead < frames.count, frames[ahead].hash != 0 { table.prefetch(hash: frames[ahead].hash) }
            if half < frames.count, frames[half].hash != 0 { table.prefetchRecord(hash: frames[half].hash) }
            // Through the pointer: no copy of the frame.
            let frame = UnsafePointer(frames.baseAddress.unsafelyUnwrapped + i)
            if frame.pointee.isPlain {
                count(plain: frame)
            } else {
                let bytes = frame.pointee.bytes
                ingest(decoder.decode(bytes, wireLength: frame.pointee.wireLength), bytes,
                       wireLength: frame.pointee.wireLength, at: frame.pointee.time)
            }
        }
        return frames.count
    }

    /// Counts a plain frame. Reading a file (no local addresses, no NAT), that is `account`'s path for such a
    /// frame, without building the decoded frame; in any other configuration the frame goes through `account`
    /// itself, rebuilt: a plain frame is one that `account` reads no bytes of.
    @inline(__always)
    func count(plain frame: UnsafePointer<PreparedFrame>) {
        guard configuration.localAddresses == nil, nat.isEmpty, takesPlainFrames else {
            ingest(.ip(frame.pointee.decodedFrame), UnsafeRawBufferPointer(start: nil, count: 0),
                   wireLength: Int(frame.pointee.ipLength), at: frame.pointee.time)
            return
        }
        counters.packets &+= 1
        counters.bytes &+= UInt64(frame.pointee.ipLength)
        accountOffline(key: frame.pointee.sentKey, packetType: frame.pointee.packetType, frame.pointee.tally,
                       hash: frame.pointee.hash, at: frame.pointee.time)
    }

    /// A live frame that `PreparedFrame`'s Ethernet path reads (TCP or UDP over IPv4 or IPv6, not a fragment,
    /// no DNS answer), counted without the general decoder: what `account` does for such a frame (no bytes
    /// read again, no fragment, no translation with the NAT table empty, no ICMP). Live capture decoded every
    /// frame through `FrameDecoder`, its result moved through the stack twice: a tenth of procscope's
    /// samples under a UDP flood on loopback (perf). False, with nothing counted, for any other frame.
    @inline(__always)
    func ingestPlainEthernet(_ bytes: UnsafeRawBufferPointer, at time: Timestamp) -> Bool {
        withUnsafeTemporaryAllocation(of: PreparedFrame.self, capacity: 1) { slots in
            let slot = slots.baseAddress.unsafelyUnwrapped
            slot.pointee.time = time // with what the Ethernet path writes, every field: nothing read is left unset
            guard PreparedFrame.preparePlainEthernet(slot, bytes) else { return false }
            counters.packets &+= 1
            counters.bytes &+= UInt64(slot.pointee.ipLength)
            account(slot.pointee.decodedFrame, at: time, hash: slot.pointee.hash)
            return true
        }
    }
}
