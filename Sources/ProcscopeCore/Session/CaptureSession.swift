/// Turns frames into attributed per-process conversations: decode, key by flow, account, and ask the
/// attributor about each new flow.
///
/// Owned by the capture loop's thread. `ingest` is the hot path: no allocation, lock or Foundation call per
/// packet; a new flow costs one `Attributor.request`. Frames of a flow whose owner is not known yet are
/// counted in its conversation at once and credited when the answer arrives (`apply`), so nothing is counted
/// twice or lost.
public final class CaptureSession {
    public let decoder: FrameDecoder
    public internal(set) var configuration: SessionConfiguration
    let attributor: Attributor
    /// Other network namespaces of this host, for frames that are not local here (nil: such frames are
    /// `not-local`).
    public var namespaces: NamespaceDirectory?

    public internal(set) var counters = CaptureCounters()
    /// The conversations, by slot, and their index by flow key.
    public let table = ConversationTable()
    var duplicates = DuplicateFrameFilter()
    var fragments = FragmentTracker()

    var owners = InternTable<ProcessIdentity>()
    var methods = InternTable<AttributionMethod>()
    var reasons = InternTable<UnknownReason>()
    var details = DetailTable()

    /// Conversations still waiting for their owner, for close events and the age limit.
    var pending = PendingLookups()
    /// Conversations by socket cookie: a close event carries only the cookie and a (maybe wildcard) tuple.
    var byCookie = CookieIndex()
    /// Called once per frame (after it was counted) with what a per-packet listing prints; nil, the default,
    /// costs one branch per frame.
    public var packetObserver: ((PacketRecord) -> Void)?
    /// Whether observed packets carry a copy of their captured bytes (for writing them to a file).
    public var observedPacketsKeepBytes = false
    /// Called with the remote address of each new conversation that no name covers yet, and the time it began
    /// (`--resolve` asks the system resolver, off the capture thread); nil, the default, asks nothing.
    public var remoteAddressObserver: ((IPAddress, Timestamp) -> Void)?
    /// The frame being observed, filled while it is counted.
    var observed = PacketRecord(time: .zero, decoded: .failed(LinkInfo(), .truncatedLinkHeader), wireLength: 0)
    /// Conversations ended by a close, by key, with when: frames stamped before the close still belong to them.
    var recentlyClosed: [FlowKey: (conversation: Int32, closedAt: Timestamp)] = [:]
    /// Owners of a tuple's next conversation, from sockets that changed hands (`ownerChanged`).
    var heirs: [FlowKey: OwnerChange] = [:]
    /// Conversations of a re-read annotated file, by the file's id (`replay`).
    var replayed: [UInt32: Int32] = [:]
    /// Frames of pending conversations, until their answer (`CaptureSession+PendingFrames`).
    var pendingFrames: [Int32: [PendingFrame]] = [:]
    /// Recent splits of pending conversations at a close, for the outputs that name packets' conversations.
    var splits: [ConversationSplit] = []
    /// What retired conversations leave: traffic and counts per owner and per reason.
    public internal(set) var folded = FoldedTotals()
    /// Names of remote addresses, from the DNS answers captured.
    public internal(set) var remoteNames = RemoteNames()
    /// First frame to owner, for each conversation credited to a process live (the metrics' histogram).
    public internal(set) var attributionLatencies = LatencyHistogram()
    /// Called with a conversation just before it is retired (its slot is then reused): outputs that name
    /// conversations write their last word on it here.
    public var retirementObservers: [(_ conversation: Int32, _ now: Timestamp) -> Void] = []
    /// Prints a warning for the user (stderr); nil: not printed. Warnings reach it through `say`.
    public var warn: ((String) -> Void)?
    /// What was said (`say`) or noted (`note`), first of each kind, for the report.
    public internal(set) var warnings: [CaptureWarning] = []
    /// When the flow table last said it was full (said again at most once a minute while it stays full).
    private var tableFullSaidAt: Timestamp?
    /// New flows refused by the full table.
    private var flowsRefused: UInt64 = 0
    /// Connections this namespace translates (conntrack): their frames are keyed as the untranslated flow.
    public var nat = NATTable()
    /// Frames that never got a conversation (non-IP, untracked fragments, table full), per reason.
    var unkeyed: [UnknownReason: (tx: TrafficCounter, rx: TrafficCounter)] = [:]

    public init(linkType: LinkType, configuration: SessionConfiguration, attributor: Attributor) {
        self.decoder = FrameDecoder(linkType: linkType)
        self.configuration = configuration
        self.attributor = attributor
    }

    /// Accounts one captured frame. `bytes` are the captured bytes; `wireLength` the length on the wire;
    /// `subMicroseconds` the nanoseconds past `time`'s microsecond, from a nanosecond source, for the listing.
    public func ingest(_ bytes: UnsafeRawBufferPointer, wireLength: Int, at time: Timestamp,
                       subMicroseconds: UInt16 = 0) {
        if decoder.linkType == .ethernet && nat.isEmpty && takesPlainFrames && ingestPlainEthernet(bytes, at: time) {
            return
        }
        ingest(decoder.decode(bytes, wireLength: wireLength), bytes, wireLength: wireLength, at: time,
               subMicroseconds: subMicroseconds)
    }

    /// Accounts one frame already decoded.
    @inline(__always)
    func ingest(_ decoded: FrameDecodeResult, _ bytes: UnsafeRawBufferPointer, wireLength: Int, at time: Timestamp,
                subMicroseconds: UInt16 = 0, hash: UInt64 = 0) {
        guard let packetObserver else {
            account(decoded, bytes, wireLength: wireLength, at: time, hash: hash)
            return
        }
        observed = PacketRecord(time: time, decoded: decoded, wireLength: wireLength)
        observed.subMicroseconds = subMicroseconds
        if observedPacketsKeepBytes { observed.bytes = Array(bytes) }
        account(decoded, bytes, wireLength: wireLength, at: time, hash: hash)
        if !observed.isDuplicate { packetObserver(observed) }
    }

    /// `hash`: the frame's `FlowKey.symmetricHash` when the caller has it (`PreparedFrame`), else 0.
    func account(_ decoded: FrameDecodeResult, _ bytes: UnsafeRawBufferPointer, wireLength: Int, at time: Timestamp,
                 hash: UInt64 = 0) {
        switch decoded {
        case .ip(var frame):
            let translated = nat.isEmpty || !frame.hasPorts || frame.isEcho ? nil : nat.views(
                proto: frame.proto, source: Endpoint(address: frame.source, port: frame.sourcePort),
                destination: Endpoint(address: frame.destination, port: frame.destinationPort))
            if configuration.deduplicateAcrossInterfaces && frame.link.interfaceIndex != configuration.loopbackInterface
                && duplicates.isDuplicate(ipHeader: bytes, ipOffset: frame.networkOffset,
                                          ipVersion: frame.ipVersion, interfaceIndex: frame.link.interfaceIndex,
                                          at: time, flow: translated?.flowHash ?? flowHash(frame)) {
                counters.duplicates &+= 1
                observed.isDuplicate = true
                return
            }
            counters.packets &+= 1
            counters.bytes &+= UInt64(frame.ipLength)
            if frame.carriesDNSAnswers && frame.fragment == .none {
                learnNames(from: bytes, frame, at: time)
            }
            // A fragment's ports come from its first fragment: its key, and hash, may change here.
            let hash = frame.fragment == .none ? hash : 0
            if !fragments.resolve(&frame) {
                countUnkeyed(.noTransportPorts, outgoing: frame.link.packetType == .outgoing,
                             bytes: frame.ipLength)
                return
            }
            if let translated, configuration.localAddresses != nil {
                accountTranslated(frame, translated, at: time)
            } else if frame.isICMPError, let quoted = decoder.decodeQuoted(bytes, of: frame) {
                accountICMPError(frame, quoting: quoted, at: time)
            } else {
                account(frame, at: time, hash: hash)
            }
        case .notIP(let link, _):
            counters.packets &+= 1
            counters.bytes &+= UInt64(wireLength)
            countUnkeyed(.notIP, outgoing: link.packetType == .outgoing,
                         bytes: UInt32(truncatingIfNeeded: wireLength))
        case .failed(_, let failure):
            counters.packets &+= 1
            counters.undecodable &+= 1
            counters.failures[failure, default: 0] &+= 1
        }
    }

    /// A frame of a connection this namespace translates (NAT), seen before or after the translation: the
    /// sender's tx and the receiver's rx, each under the tuple its own socket has, for the ends that are on
    /// this host (the client in a masqueraded namespace, the server behind a port forward).
    func accountTranslated(_ frame: DecodedFrame, _ views: NATTable.Views, at time: Timestamp) {
        let senderKey = FlowKey(proto: frame.proto, local: views.sender.local, remote: views.sender.remote, hasPorts: true)
        let receiverKey = FlowKey(proto: frame.proto, local: views.receiver.local, remote: views.receiver.remote,
                                  hasPorts: true)
        let (sender, receiver) = placement(of: views.sender.local.address, and: views.receiver.local.address)
        if let sender { count(senderKey.in(sender), .transmitted, frame.tally, at: time) }
        if let receiver { count(receiverKey.in(receiver), .received, frame.tally, at: time) }
        if sender == nil && receiver == nil { count(senderKey, .transmitted, frame.tally, at: time, notLocal: true) }
    }

    /// The frame's tuple in its own direction, for telling copies of one frame apart from other frames (a
    /// translated frame uses its connection's original tuple instead: `NATTable.Views.flowHash`).
    @inline(__always) func flowHash(_ frame: DecodedFrame) -> UInt64 { frame.sentKey.fastHash }

    /// Decides which local socket(s) the frame belongs to and counts it there: a frame between two local
    /// endpoints (loopback) is the sender's tx and the receiver's rx. `hash`, when not 0, is the frame's
    /// `sentKey.symmetricHash`.
    func account(_ frame: DecodedFrame, at time: Timestamp, hash: UInt64 = 0) {
        if frame.isEcho {
            accountEcho(frame, at: time)
            return
        }
        let outgoingKey = frame.sentKey
        guard configuration.localAddresses != nil else {
            accountOffline(key: outgoingKey, packetType: frame.link.packetType, frame.tally, hash: hash, at: time)
            return
        }
        // An endpoint that is not local here may be local to another namespace of this host (a container
        // behind a veth): then that namespace's socket sent or receives the frame, and is looked up there.
        var (sender, receiver) = placement(of: frame.source, and: frame.destination)
        // Sent by this stack from no address yet (::, DAD and MLD) or from a link-local address it gained
        // after the address list was read: the capture saw it leave, so it is this namespace's.
        if sender == nil && receiver == nil && frame.link.packetType == .outgoing
            && (frame.source.isUnspecified || frame.source.isLinkLocal) {
            sender = 0
        }
        // Both ends in one namespace (loopback): both conversations found in one probe of their shared hash,
        // when both are live (else each is looked up as it is counted: the first count may add one).
        if let sender, let receiver, sender == receiver {
            let sent = outgoingKey.in(sender), received = sent.reversed
            let found = table.findBothWays(sent, hash: hash != 0 && sender == 0 ? hash : sent.symmetricHash)
            if let forward = found.forward, let reversed = found.reversed {
                count(sent, .transmitted, frame.tally, at: time, found: .some(forward))
                count(received, .received, frame.tally, at: time, found: .some(reversed))
                return
            }
        }
        if let sender { count(outgoingKey.in(sender), .transmitted, frame.tally, at: time) }
        if let receiver { count(outgoingKey.reversed.in(receiver), .received, frame.tally, at: time) }
        if sender == nil && receiver == nil {
            if table.find(outgoingKey.reversed) != nil {
                count(outgoingKey.reversed, .received, frame.tally, at: time, notLocal: true)
            } else {
                count(outgoingKey, .transmitted, frame.tally, at: time, notLocal: true)
            }
        }
    }

    /// An ICMP error belongs to the flow it quotes, so a UDP program's "port unreachable" lands under that
    /// program: the quoted packet's sender receives the error (rx of its conversation), and the side the
    /// quoted packet was for, when it is this host, sent it (tx: the kernel's answer for a closed port).
    /// On loopback both sides are local and each counts the error once, like any loopback frame. Either side
    /// may be in another namespace of this host (a container behind a veth), as for any frame.
    func accountICMPError(_ error: DecodedFrame, quoting quoted: DecodedFrame, at time: Timestamp) {
        let key = quoted.sentKey // `decodeQuoted` gives only packets with ports
        guard configuration.localAddresses != nil else {
            count(key, .received, error.tally, at: time)
            return
        }
        let (sender, receiver) = placement(of: quoted.source, and: quoted.destination)
        if let sender { count(key.in(sender), .received, error.tally, at: time) }
        if let receiver { count(key.reversed.in(receiver), .transmitted, error.tally, at: time) }
        if sender == nil && receiver == nil { count(key, .received, error.tally, at: time, notLocal: true) }
    }

    /// ICMP echo: the identifier is the same in both directions, so the key is oriented by the message, not
    /// the addresses: the side that sends requests (a ping socket or a raw socket) is local, its requests are
    /// tx and the replies rx, whatever the addresses are (on loopback both are local, and the reply comes from
    /// the kernel, not from a second socket). When only the answering side is local, the conversation is
    /// keyed from there (requests rx, replies tx) and its lookup finds the kernel answering. "Local" includes
    /// the other namespaces of this host, as for any frame.
    func accountEcho(_ frame: DecodedFrame, at time: Timestamp) {
        let source = Endpoint(address: frame.source, port: frame.sourcePort)
        let destination = Endpoint(address: frame.destination, port: frame.destinationPort)
        let isRequest = frame.icmpType == 8 || frame.icmpType == 128
        let requester = isRequest ? source : destination, responder = isRequest ? destination : source
        let key = FlowKey(proto: frame.proto, local: requester, remote: responder, hasPorts: true)
        guard configuration.localAddresses != nil else {
            count(key, isRequest ? .transmitted : .received, frame.tally, at: time)
            return
        }
        let (requesting, responding) = placement(of: requester.address, and: responder.address)
        if let requesting {
            count(key.in(requesting), isRequest ? .transmitted : .received, frame.tally, at: time)
        } else if let responding {
            count(key.reversed.in(responding), isRequest ? .received : .transmitted, frame.tally, at: time)
        } else {
            count(key, isRequest ? .transmitted : .received, frame.tally, at: time, notLocal: true)
        }
    }

    /// Where each of two endpoints lives: 0 for this namespace, another namespace's index, or nil when it is
    /// not on this host. Traffic this namespace routes or bridges between two others of this host (two
    /// containers) is both ends' (as loopback traffic is): each one's process sent or receives it. Only an
    /// endpoint on no namespace of this host is nil, and traffic with neither end here is `not-local`.
    func placement(of first: IPAddress, and second: IPAddress) -> (UInt16?, UInt16?) {
        guard let local = configuration.localAddresses else { return (0, 0) }
        let firstNamespace = local.contains(first) ? 0 : namespaces?.namespace(of: first)
        let secondNamespace = local.contains(second) ? 0 : namespaces?.namespace(of: second)
        return (firstNamespace, secondNamespace)
    }

    /// Without local addresses: a cooked header's packet type says the direction; otherwise the endpoint
    /// that spoke first is taken as the local one. `key` is the frame's tuple as sent, `packetType` its link
    /// layer's word on who it was for; `hash` is `key.symmetricHash` when the caller has it (0: computed here).
    @inline(__always)
    func accountOffline(key: FlowKey, packetType: PacketType, _ frame: FrameTally, hash: UInt64 = 0,
                        at time: Timestamp) {
        switch packetType {
        case .outgoing:
            count(key, .transmitted, frame, at: time)
        case .host, .broadcast, .multicast:
            count(key.reversed, .received, frame, at: time)
        default:
            if let (found, reversed) = table.findEitherWay(key, hash: hash != 0 ? hash : key.symmetricHash) {
                if reversed {
                    count(key.reversed, .received, frame, at: time, found: found)
                } else {
                    count(key, .transmitted, frame, at: time, found: found)
                }
            } else {
                count(key, .transmitted, frame, at: time, found: .some(nil))
            }
        }
    }

    /// Counts a frame in the conversation of `key`. `found` is the index lookup when the caller already made
    /// it (nil: known absent); omitted, the lookup is made here. Inlined: nearly every frame is counted in a
    /// conversation that exists, here; the rest (`countAnew`) is a call.
    @inline(__always)
    func count(_ key: FlowKey, _ direction: Direction, _ frame: FrameTally, at time: Timestamp,
               notLocal: Bool = false, found: Int32?? = .none) {
        let slot = found ?? table.find(key)
        // A SYN after the old connection ended (FIN/RST seen) opens a new epoch on a reused tuple.
        if let slot, !opensAnew(frame, after: slot) {
            table[slot].count(direction, bytes: frame.ipLength, at: time, flags: frame.tcpFlags)
            if table[slot].isPending { logPending(slot, direction, frame, at: time) }
            observe(slot, direction)
            return
        }
        countAnew(key, direction, frame, at: time, notLocal: notLocal, ending: slot)
    }

    /// Whether `frame` opens a new connection on the tuple of `conversation`: a SYN after that connection's
    /// FIN or RST. A close is reported late (when a thread reads it), so a newer connection's first frames may
    /// be stamped before it: under connection churn on reused ports, whole connections went into the closed
    /// conversation of an earlier one on their tuple, whatever process made them.
    @inline(__always)
    func opensAnew(_ frame: FrameTally, after conversation: Int32) -> Bool {
        frame.tcpFlags.isConnectionOpen && !table[conversation].tcpFlagsSeen.isDisjoint(with: [.fin, .rst])
    }

    /// A frame that no live conversation of `key` takes: `ending` (a SYN after its FIN or RST) is closed, a
    /// frame stamped before a reported close goes to the closed conversation, and anything else starts one.
    func countAnew(_ key: FlowKey, _ direction: Direction, _ frame: FrameTally, at time: Timestamp,
                   notLocal: Bool, ending: Int32?) {
        if let ending {
            close(ending, at: time)
        } else if !recentlyClosed.isEmpty, let closed = recentlyClosed[key], time <= closed.closedAt,
                  !opensAnew(frame, after: closed.conversation) {
            // Stamped before its socket's close was reported: it belongs to the closed conversation.
            table[closed.conversation].count(direction, bytes: frame.ipLength, at: time, flags: frame.tcpFlags)
            observe(closed.conversation, direction)
            return
        }
        guard table.indexedCount < configuration.maxLiveConversations else {
            countUnkeyed(.flowTableFull, outgoing: direction == .transmitted, bytes: frame.ipLength)
            flowsRefused &+= 1
            if tableFullSaidAt.map({ time.microseconds(since: $0) > 60_000_000 }) ?? true {
                tableFullSaidAt = time
                say("flow-table-full", "the flow table is full (\(configuration.maxLiveConversations) live "
                    + "conversations, \(flowsRefused) new flows refused so far): new flows are counted under <Unknown> "
                    + "flow-table-full, not attributed, until conversations end; a larger --max-flows or a narrower "
                    + "filter helps")
            }
            return
        }
        var conversation = Conversation(key: key, firstSeen: time)
        conversation.count(direction, bytes: frame.ipLength, at: time, flags: frame.tcpFlags)
        let new = table.add(conversation)
        observe(new, direction)
        if !recentlyClosed.isEmpty { recentlyClosed.removeValue(forKey: key) }
        if notLocal {
            resolve(new, as: .notLocal, detail: "neither endpoint is an address of this network namespace")
            return
        }
        if let remoteAddressObserver, !remoteNames.isNamed(key.remote.address, at: time) {
            remoteAddressObserver(key.remote.address, time)
        }
        if !heirs.isEmpty, let heir = heirs.removeValue(forKey: key)?.attribution {
            // The socket changed hands: this conversation is its new holder's, known without a lookup.
            apply(AttributionResult(conversation: new, key: key, attribution: heir, resolvedAt: time))
            return
        }
        let request = AttributionRequest(conversation: new, key: key, firstSeen: time,
                                         firstFrameOutgoing: direction == .transmitted,
                                         firstTCPFlags: frame.tcpFlags, firstICMPType: frame.icmpType)
        if let answer = attributor.request(request) {
            // Answered at once (a file's fixed reason): never pending, nothing to log.
            apply(answer)
            return
        }
        pending.insert(new, key: key)
        logPending(new, direction, frame, at: time)
    }

    /// Notes, for the packet observer, a conversation the current frame was counted in.
    @inline(__always) func observe(_ conversation: Int32, _ direction: Direction) {
        guard packetObserver != nil else { return }
        observed.sides.append(PacketRecord.Side(conversation: conversation, direction: direction))
    }

    func countUnkeyed(_ reason: UnknownReason, outgoing: Bool, bytes: UInt32) {
        if packetObserver != nil {
            observed.unkeyed = reason
            observed.unkeyedOutgoing = outgoing
        }
        var entry = unkeyed[reason] ?? (TrafficCounter(), TrafficCounter())
        if outgoing { entry.tx.add(bytes: bytes) } else { entry.rx.add(bytes: bytes) }
        unkeyed[reason] = entry
    }

    /// The namespace's interface addresses changed during a live capture: frames are placed with the new
    /// set from now on (conversations already placed keep their side). Ignored when reading a file.
    public func localAddressesChanged(_ addresses: LocalAddressSet) {
        guard configuration.localAddresses != nil else { return }
        configuration.localAddresses = addresses
    }

    /// Ends a live conversation: later frames of its key start a new one (and a new lookup). `lastSeen`
    /// stays the last frame's time (what the export says, and what a re-read of the annotated file finds).
    func close(_ conversation: Int32, at time: Timestamp) {
        guard !table[conversation].isClosed else { return }
        table.end(conversation)
        recentlyClosed[table[conversation].key] = (conversation, max(time, table[conversation].lastSeen))
    }
}
