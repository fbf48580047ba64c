/// How a `CaptureSession` decides direction and locality.
public struct SessionConfiguration: Sendable {
    /// The namespace's local addresses; nil when reading a file (direction then comes from cooked-header
    /// packet types where present, else from which endpoint spoke first).
    public var localAddresses: LocalAddressSet?
    /// Drop second copies of frames seen on another interface (for `any` captures).
    public var deduplicateAcrossInterfaces: Bool
    /// Live conversations kept at most; past it, new flows are counted under `flow-table-full`.
    public var maxLiveConversations: Int
    /// A lookup not answered within this many microseconds is given up as `lookup-timed-out`.
    public var pendingAgeLimitMicros: Int64

    public init(localAddresses: LocalAddressSet?, deduplicateAcrossInterfaces: Bool = false,
                maxLiveConversations: Int = 1 << 20, pendingAgeLimitMicros: Int64 = 5_000_000) {
        self.localAddresses = localAddresses
        self.deduplicateAcrossInterfaces = deduplicateAcrossInterfaces
        self.maxLiveConversations = maxLiveConversations
        self.pendingAgeLimitMicros = pendingAgeLimitMicros
    }
}
