/// The translated connections of the capture's namespace (`NATBinding`), by every tuple under which their
/// frames can appear: the original and reply tuples, in both directions. A frame under any of them is counted
/// for the process at each end with the tuple that process's socket has (the masqueraded client's socket
/// names the server's real address; the server sees the host's address and the translated port), and told
/// apart from other frames by the original tuple, so the copies before and after the translation (a
/// masqueraded upload seen on the container's veth and on the uplink) are counted once, and an uplink-only
/// capture still finds the process inside the namespace.
///
/// Fed from conntrack events on the capture thread; looked up per frame only while it holds something.
public struct NATTable: Sendable {
    /// One end of a translated connection as its socket sees it.
    public struct View: Sendable, Equatable {
        public var local: Endpoint
        public var remote: Endpoint
    }

    /// How a frame under a translated tuple is counted: its sender's view, its receiver's view, and the hash
    /// that identifies its copies (the same for every copy of the frame, before or after translation).
    public struct Views: Sendable {
        public var sender: View
        public var receiver: View
        public var flowHash: UInt64
    }

    struct Tuple: Hashable, Sendable {
        var proto: IPProtocol
        var source: Endpoint
        var destination: Endpoint
    }

    private var views: [Tuple: Views] = [:]
    private var tuples: [NATBinding: [Tuple]] = [:]

    public init() {}

    /// Whether no translated connection is known (checked per frame: a dictionary's count).
    public var isEmpty: Bool { tuples.isEmpty }

    /// Adds a translated connection (an untranslated one is ignored).
    public mutating func insert(_ binding: NATBinding) {
        guard binding.translates, tuples[binding] == nil else { return }
        // The originating process's socket: original source <-> original destination. The answering
        // process's socket: reply source <-> reply destination.
        let originator = View(local: binding.originalSource, remote: binding.originalDestination)
        let answerer = View(local: binding.replySource, remote: binding.replyDestination)
        // Copies of one frame are told apart from other frames by the original tuple in the frame's direction:
        // what a copy captured before the kernel created the translation (a port forward's first SYN, on the
        // way in) was hashed with, having no translation to undo.
        let outward = FlowKey(proto: binding.proto, local: binding.originalSource, remote: binding.originalDestination,
                              hasPorts: true).fastHash
        let inward = FlowKey(proto: binding.proto, local: binding.originalDestination, remote: binding.originalSource,
                             hasPorts: true).fastHash
        let forward = Views(sender: originator, receiver: answerer, flowHash: outward)
        let backward = Views(sender: answerer, receiver: originator, flowHash: inward)
        var seen: [Tuple] = []
        func add(_ source: Endpoint, _ destination: Endpoint, _ entry: Views) {
            let tuple = Tuple(proto: binding.proto, source: source, destination: destination)
            guard views[tuple] == nil else { return }
            views[tuple] = entry
            seen.append(tuple)
        }
        add(binding.originalSource, binding.originalDestination, forward)   // before translation, outward
        add(binding.replyDestination, binding.replySource, forward)         // after translation, outward
        add(binding.replySource, binding.replyDestination, backward)        // the answer, before translation back
        add(binding.originalDestination, binding.originalSource, backward)  // the answer, translated back
        tuples[binding] = seen
    }

    /// Forgets a connection the kernel no longer tracks.
    public mutating func remove(_ binding: NATBinding) {
        guard let seen = tuples.removeValue(forKey: binding) else { return }
        for tuple in seen { views.removeValue(forKey: tuple) }
    }

    /// How to count a frame with this tuple; nil when it belongs to no translated connection.
    public func views(proto: IPProtocol, source: Endpoint, destination: Endpoint) -> Views? {
        views[Tuple(proto: proto, source: source, destination: destination)]
    }
}
