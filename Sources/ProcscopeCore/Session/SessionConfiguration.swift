/// How a `CaptureSession` decides direction and locality.
public struct SessionConfiguration: Sendable {
    /// The namespace's local addresses; nil when reading a file (direction then comes from cooked-header
    /// packet types where present, else from which endpoint spoke first).
    public var localAddresses: LocalAddressSet?
    /// Drop second copies of frames seen on another interface (for `any` captures).
    public var deduplicateAcrossInterfaces: Bool
    /// The loopback device's interface index, when known. Its frames never pass another interface (a frame
    /// between two local endpoints goes over loopback only, and forwarded traffic never does), so the
    /// duplicate check skips them: under a loopback flood captured on `any` the check was a fifth of
    /// procscope's samples.
    public var loopbackInterface: UInt32?
    /// Live conversations kept at most; past it, new flows are counted under `flow-table-full`.
    public var maxLiveConversations: Int
    /// A lookup not answered within this many microseconds is given up as `lookup-timed-out`.
    public var pendingAgeLimitMicros: Int64
    /// When ended and idle conversations are folded into their owner's totals and their memory reused
    /// (`CaptureSession.retireIdle`); nil keeps every conversation to the end (a JSON document lists them all).
    public var retirement: Retirement?

    /// How long a conversation stays after it went quiet, by how it ended (microseconds of capture time).
    public struct Retirement: Sendable {
        /// Closed by its socket's close (or a new SYN on its tuple): late frames arrive within this.
        public var closedIdleMicros: Int64 = 2_000_000
        /// TCP with FIN or RST seen: the last ACKs and a TIME_WAIT's strays come within this.
        public var finishedIdleMicros: Int64 = 10_000_000
        /// Anything else silent this long (a UDP flow, a connection that went away unseen). If it speaks again,
        /// it is a new conversation with a new lookup.
        public var idleMicros: Int64 = 300_000_000

        public init() {}
    }

    public init(localAddresses: LocalAddressSet?, deduplicateAcrossInterfaces: Bool = false,
                maxLiveConversations: Int = 1 << 20, pendingAgeLimitMicros: Int64 = 5_000_000) {
        self.localAddresses = localAddresses
        self.deduplicateAcrossInterfaces = deduplicateAcrossInterfaces
        self.maxLiveConversations = maxLiveConversations
        self.pendingAgeLimitMicros = pendingAgeLimitMicros
    }
}
