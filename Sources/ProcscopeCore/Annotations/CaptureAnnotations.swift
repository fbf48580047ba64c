/// The tables of a procscope-annotated capture file, by id: what `CaptureSession.replay` credits each
/// packet's conversations with.
public struct CaptureAnnotations: Sendable {
    public var processes: [UInt32: ProcessIdentity] = [:]
    public var conversations: [UInt32: ConversationRecord] = [:]
    /// The live run's interfaces, filter, times and drops (written at its end; nil in a file cut short).
    public var capture: CaptureReport.CaptureInfo?

    public init() {}

    /// Adds a record; a later one with the same id replaces the earlier.
    public mutating func add(_ record: AnnotationRecord) {
        switch record {
        case .process(let id, let identity): processes[id] = identity
        case .conversation(let id, let conversation): conversations[id] = conversation
        case .capture(let info): capture = info
        }
    }
}
