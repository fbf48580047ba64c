import ProcscopeCore

/// When a capture ends, besides a signal or the end of a file: after a packet count or a duration.
public struct StopCondition: Sendable {
    public var packetLimit: UInt64?
    public var durationMicros: Int64?

    public init(packetLimit: UInt64? = nil, durationSeconds: Double? = nil) {
        self.packetLimit = packetLimit
        self.durationMicros = durationSeconds.map { Int64($0 * 1_000_000) }
    }
}

/// Why a capture ended.
public enum StopReason: Equatable, Sendable {
    case endOfFile
    case packetLimit
    case duration
    case signal(Int32)
    /// `requestStop()`: the user quit a live view.
    case requested
}
