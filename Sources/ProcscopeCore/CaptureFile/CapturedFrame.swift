/// One frame read from a capture file: its bytes (pointing into the file's mapping, valid only while the
/// reader's buffer is), where and when it was captured, and what the file said about it.
public struct CapturedFrame {
    /// The captured bytes (caplen).
    public var bytes: UnsafeRawBufferPointer
    /// The frame's length on the wire (len).
    public var wireLength: Int
    public var time: Timestamp
    /// Index of the capture interface in the file (always 0 in classic pcap).
    public var interface: Int
    /// The pcapng `epb_flags` word (direction in bits 0-1), 0 when the file does not say.
    public var flags: UInt32
    /// The pcapng `opt_comment` (procscope writes the owners there), empty when there is none.
    public var comment = UnsafeRawBufferPointer(start: nil, count: 0)
    /// procscope's own annotation (`PacketAnnotation`: the conversations it was counted in), empty when none.
    public var annotation = UnsafeRawBufferPointer(start: nil, count: 0)
    /// The index of the frame's process in the file's `AppleProcessTable` (Apple's pcapng), -1 for none.
    public var appleProcessIndex: Int32 = -1
    /// The process id of the pcapng `epb_processid_threadid` option (`WiresharkProcessBlock`), 0 for none.
    public var processID: Int32 = 0

    @inlinable public init(bytes: UnsafeRawBufferPointer, wireLength: Int, time: Timestamp, interface: Int,
                           flags: UInt32) {
        self.bytes = bytes
        self.wireLength = wireLength
        self.time = time
        self.interface = interface
        self.flags = flags
    }
}
