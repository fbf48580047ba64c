/// One captured frame as a per-packet listing sees it (`procscope audit`): what it was, and the conversations
/// it was counted in (two for a loopback frame: the sender's tx and the receiver's rx; none when it was not
/// keyed, with the reason). Filled by `CaptureSession` while the frame is counted, then handed to its
/// `packetObserver`.
public struct PacketRecord: Sendable {
    public var time: Timestamp
    public var decoded: FrameDecodeResult
    public var wireLength: Int
    public var sides = Sides()
    /// Why the frame has no conversation (not IP, untracked fragment, table full), when it has none.
    public var unkeyed: UnknownReason?
    /// Whether that unkeyed frame was counted as sent (tx) rather than received.
    public var unkeyedOutgoing = false
    /// A second copy seen on another interface of `any`: not listed.
    public var isDuplicate = false
    /// The captured bytes, when the session was asked to keep them (`observedPacketsKeepBytes`).
    public var bytes: [UInt8]?
    /// The owners a capture file written by procscope names for this packet (its pcapng comment, without
    /// the `procscope: ` prefix): what a listing of that file shows instead of `offline-capture`.
    public var annotation: String?
    /// The nanoseconds past `time`'s microsecond (0-999), from a source stamping in nanoseconds (`--nano`).
    public var subMicroseconds: UInt16 = 0

    public init(time: Timestamp, decoded: FrameDecodeResult, wireLength: Int) {
        self.time = time
        self.decoded = decoded
        self.wireLength = wireLength
    }

    /// A conversation the frame was counted in, and which way.
    public struct Side: Sendable, Equatable {
        public var conversation: Int32
        public var direction: Direction
    }

    /// At most two sides, stored inline (no allocation per frame, to store or to walk).
    public struct Sides: Sendable, Sequence {
        var first: Side?
        var second: Side?

        mutating func append(_ side: Side) {
            if first == nil { first = side } else { second = side }
        }

        public var count: Int { (first == nil ? 0 : 1) + (second == nil ? 0 : 1) }

        /// The same sides with their conversations replaced by `transform`.
        func remapped(_ transform: (Int32) -> Int32) -> Sides {
            var sides = self
            if let first { sides.first?.conversation = transform(first.conversation) }
            if let second { sides.second?.conversation = transform(second.conversation) }
            return sides
        }

        /// The same sides, the sending one first (`sender > receiver` in listings).
        public var senderFirst: Sides {
            guard let first, let second, first.direction != .transmitted, second.direction == .transmitted else { return self }
            return Sides(first: second, second: first)
        }

        public func makeIterator() -> Iterator { Iterator(sides: self) }

        /// Walks `first` then `second` (`append` fills `first` first, so a nil `first` means none).
        public struct Iterator: IteratorProtocol {
            var sides: Sides
            var position = 0

            public mutating func next() -> Side? {
                position += 1
                return position == 1 ? sides.first : position == 2 ? sides.second : nil
            }
        }
    }
}
