/// The figures one scrape serves: per-program traffic, unattributed traffic by reason, capture health and
/// attribution latency. Plain values, built on the capture thread (`MetricsCollector`) and rendered
/// anywhere (`PrometheusText`).
public struct MetricsSnapshot: Sendable, Equatable {
    public struct ProgramTraffic: Sendable, Equatable {
        public var key: ProgramSeriesKey
        public var tx = TrafficCounter()
        public var rx = TrafficCounter()
    }

    public struct UnattributedTraffic: Sendable, Equatable {
        public var reason: UnknownReason
        public var tx = TrafficCounter()
        public var rx = TrafficCounter()
    }

    public var programs: [ProgramTraffic] = []
    public var unattributed: [UnattributedTraffic] = []
    /// Programs counted under `other` because the series cap was reached.
    public var foldedPrograms = 0
    public var packets: UInt64 = 0
    public var bytes: UInt64 = 0
    public var droppedByKernel: UInt64 = 0
    public var droppedByInterface: UInt64 = 0
    public var undecodable: UInt64 = 0
    public var liveConversations = 0
    public var pendingLookups = 0
    public var latency = LatencyHistogram()
    /// The process's own resources (Prometheus's `process_` metrics), where the platform reads them.
    public var residentBytes: UInt64?
    public var cpuSeconds: Double?
    public var startTimeSeconds: Double?
    public var version: String = ""

    public init() {}
}
