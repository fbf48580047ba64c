/// Where the session sends new flows to be attributed. The live implementation hands them to a worker thread
/// and answers later (`CaptureSession.apply(_:)`); an offline one answers at once. Called once per new
/// flow, never per packet.
public protocol Attributor: AnyObject {
    /// Asks for the owner of a new flow. The answer may come back synchronously (returned) or later.
    func request(_ request: AttributionRequest) -> AttributionResult?
}

/// Attributes every flow to the same reason: reading a capture file that carries no process annotations.
public final class FixedReasonAttributor: Attributor {
    let reason: UnknownReason
    let detail: String

    public init(reason: UnknownReason, detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public func request(_ request: AttributionRequest) -> AttributionResult? {
        AttributionResult(conversation: request.conversation, key: request.key,
                          attribution: .unknown(reason, detail: detail), resolvedAt: request.firstSeen)
    }
}
