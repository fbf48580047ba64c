/// One connection the host translates (source NAT: masquerade; destination NAT: a port forward such as
/// `docker run -p 8080:80`), as the kernel's connection tracking reports it: the original tuple (as the
/// first packet arrived) and the reply tuple (as the answers come back), each source first.
///
/// The processes behind the translation use the original source (the client inside a masqueraded namespace)
/// and the reply source (the server behind a port forward); `NATTable` counts every copy of a frame for them.
public struct NATBinding: Hashable, Sendable {
    public var proto: IPProtocol
    public var originalSource: Endpoint
    public var originalDestination: Endpoint
    public var replySource: Endpoint
    public var replyDestination: Endpoint

    public init(proto: IPProtocol, originalSource: Endpoint, originalDestination: Endpoint, replySource: Endpoint,
                replyDestination: Endpoint) {
        self.proto = proto
        self.originalSource = originalSource
        self.originalDestination = originalDestination
        self.replySource = replySource
        self.replyDestination = replyDestination
    }

    /// Whether the kernel translates it at all (the reply is not the original reversed).
    public var translates: Bool { replySource != originalDestination || replyDestination != originalSource }
}
