/// A socket that changed hands during the capture: the process credited with its conversation exited and a
/// child of it kept the socket (`AttributionMethod.inheritedSocket`), or another process did (one it passed
/// the socket to over a unix socket, SCM_RIGHTS), to be found by the host-wide search. Sent by the attribution
/// worker, applied on the capture thread (`CaptureSession.ownerChanged`): the conversation ends at `at`, and
/// the tuple's next frames open a new conversation, already attributed to the heir, or looked up afresh.
public struct OwnerChange: Sendable {
    /// The socket, as the conversation's attribution recorded it.
    public var cookie: UInt64
    public var key: FlowKey
    /// Who holds it from `at` on; nil when that is not known yet (no child holds it): the next frames'
    /// conversation is then looked up like a new one.
    public var attribution: Attribution?
    /// When the earlier holder's exit was reported (wall clock).
    public var at: Timestamp

    public init(cookie: UInt64, key: FlowKey, attribution: Attribution?, at: Timestamp) {
        self.cookie = cookie
        self.key = key
        self.attribution = attribution
        self.at = at
    }
}
