/// The answer for a flow: its owner and how it was found, or why there is none. "Unknown" is data, not a
/// shrug: every reason reaches the JSON and the summary.
public enum Attribution: Hashable, Sendable {
    case process(ProcessIdentity, AttributionMethod, SocketEvidence?)
    case unknown(UnknownReason, detail: String)
}
