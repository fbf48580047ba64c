/// Where an IP packet sits in a fragmented datagram (RFC 791; RFC 8200 section 4.5).
public enum Fragment: Equatable, Sendable {
    /// Not fragmented.
    case none
    /// The first fragment: it carries the transport header, so its ports identify the whole datagram.
    case first(identification: UInt32)
    /// A later fragment: no transport header; only the identification ties it to the first one.
    case later(identification: UInt32)
}
