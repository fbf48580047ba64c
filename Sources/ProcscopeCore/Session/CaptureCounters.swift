/// Capture-wide totals: each frame counted once, whatever it decoded to.
public struct CaptureCounters: Sendable {
    /// Frames counted (duplicates of forwarded frames excluded).
    public var packets: UInt64 = 0
    /// IP-layer bytes of IP frames plus the frame length of non-IP frames.
    public var bytes: UInt64 = 0
    /// Frames that could not be decoded, in all and per failure.
    public var undecodable: UInt64 = 0
    public var failures: [DecodeFailure: UInt64] = [:]
    /// Second copies of forwarded frames seen on another interface of an `any` capture, not counted again.
    public var duplicates: UInt64 = 0

    public init() {}
}
