/// Where frames come from: a live interface or a capture file. The Linux layer implements it with libpcap;
/// tests can feed frames directly. One source is driven by one thread.
public protocol CaptureSource: AnyObject {
    var linkType: LinkType { get }
    /// The interface captured on, or the file read, for the report.
    var name: String { get }
    /// The most bytes of a frame that are captured.
    var snapLength: Int { get }
    /// A descriptor to poll for readability, nil for sources that never block (files).
    var selectableDescriptor: Int32? { get }
    /// Hands up to `limit` ready frames to `handler` (captured bytes, wire length, timestamp), without
    /// blocking. Returns how many it delivered, or nil at the end of a file.
    func dispatch(limit: Int, _ handler: (UnsafeRawBufferPointer, Int, Timestamp) -> Void) throws -> Int?
    /// Frames dropped by the kernel and by the interface so far.
    func drops() -> (kernel: UInt64, interface: UInt64)
    /// The nanoseconds past the microsecond of the frame being handed over, from a source stamping in
    /// nanoseconds (`TimestampPrecision.nano`); 0 from any other.
    var subMicroseconds: UInt16 { get }
}

extension CaptureSource {
    public var subMicroseconds: UInt16 { 0 }
}
