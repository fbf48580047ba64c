/// A socket that changed hands during the capture: the process credited with its conversation exited and
/// another kept the socket (`AttributionMethod.inheritedSocket`), or none that can be named did (an unknown
/// reason). Sent by the attribution worker, applied on the capture thread (`CaptureSession.ownerChanged`):
/// the conversation ends at `at`, and the tuple's next frames open a new conversation already attributed.
public struct OwnerChange: Sendable {
    /// The socket, as the conversation's attribution recorded it.
    public var cookie: UInt64
    public var key: FlowKey
    /// Who holds it from `at` on, or why nobody can be named.
    public var attribution: Attribution
    /// When the earlier holder's exit was reported (wall clock).
    public var at: Timestamp

    public init(cookie: UInt64, key: FlowKey, attribution: Attribution, at: Timestamp) {
        self.cookie = cookie
        self.key = key
        self.attribution = attribution
        self.at = at
    }
}
