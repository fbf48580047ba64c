@testable import ProcscopeCore
import Testing

/// How frames become attributed conversations: direction, loopback, pending answers, closes and reuse.
@Suite struct CaptureSessionTests {
    let local = IPAddress(ipv4: 0xC612_0001) // 198.18.0.1
    let remote = IPAddress(ipv4: 0xC612_0002)

    func session(_ attributor: Attributor) -> CaptureSession {
        CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                       attributor: attributor)
    }

    @Test("A loopback frame is the sender's tx and the receiver's rx, and counts once in the capture")
    func loopbackFrameCountsForBothSides() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0001, proto: 17, sourcePort: 1000, destinationPort: 2000, payload: 10), at: 1)
        #expect(session.counters.packets == 1)
        #expect(session.counters.bytes == 38)
        #expect(attributor.requests.count == 2)
        let report = session.report(.init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero))
        let sides = report.unknown.conversations.map { ($0.key.local.port, $0.tx.packets, $0.rx.packets) }
        #expect(sides.contains { $0 == (1000, 1, 0) } && sides.contains { $0 == (2000, 0, 1) })
    }

    @Test("A loopback echo is one conversation of the requester: requests tx, replies rx, each counted once")
    func loopbackEchoIsTheRequestersOnce() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.echo(0x7F00_0001, 0x7F00_0001, request: true, id: 0x1234), at: 1)
        session.ingest(FrameBuilder.echo(0x7F00_0001, 0x7F00_0001, request: false, id: 0x1234), at: 2)
        #expect(attributor.requests.count == 1)
        #expect(attributor.requests.first?.firstFrameOutgoing == true)
        let report = session.report(.init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero))
        let sides = report.unknown.conversations.map { ($0.key.local.port, $0.tx.packets, $0.rx.packets) }
        #expect(sides.count == 1 && sides[0] == (0x1234, 1, 1))
    }

    @Test("An echo request from afar is keyed from the answering side: request rx, reply tx")
    func incomingEchoIsKeyedFromTheAnsweringSide() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.echo(0xC612_0002, 0xC612_0001, request: true, id: 7), at: 1)
        session.ingest(FrameBuilder.echo(0xC612_0001, 0xC612_0002, request: false, id: 7), at: 2)
        #expect(attributor.requests.map(\.firstFrameOutgoing) == [false])
        #expect(attributor.requests.first?.key.local.address == local)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        let sides = report.unknown.conversations.map { ($0.tx.packets, $0.rx.packets) }
        #expect(sides.count == 1 && sides[0] == (1, 1))
    }

    @Test("A port-unreachable error lands in the conversation of the datagram it quotes, as rx")
    func icmpErrorJoinsTheQuotedFlow() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let datagram = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 40000, destinationPort: 9, payload: 20)
        session.ingest(datagram, at: 1)
        session.ingest(FrameBuilder.icmpError(0xC612_0002, 0xC612_0001, type: 3, code: 3, quoting: datagram), at: 2)
        #expect(attributor.requests.count == 1)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        let conversation = report.unknown.conversations.first
        #expect(report.unknown.conversations.count == 1)
        #expect(conversation?.key.proto == .udp && conversation?.key.local.port == 40000)
        #expect(conversation?.tx.packets == 1 && conversation?.rx.packets == 1)
        #expect(conversation?.rx.bytes == 56) // 20 + 8 + 28 quoted
    }

    /// A directory with two other namespaces: #3 owns 10.0.0.2, #4 owns 10.0.0.3.
    final class OneContainer: NamespaceDirectory {
        func namespace(of address: IPAddress) -> UInt16? {
            address == IPAddress(ipv4: 0x0A00_0002) ? 3 : address == IPAddress(ipv4: 0x0A00_0003) ? 4 : nil
        }
    }

    @Test("A frame from a container is the container's tx (keyed with its namespace), and the receiver's rx when it is on this host too")
    func containerTrafficIsKeyedWithItsNamespace() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.namespaces = OneContainer()
        session.ingest(FrameBuilder.ipv4(0x0A00_0002, 0xC612_0001, proto: 6, sourcePort: 5000, destinationPort: 80), at: 1)
        session.ingest(FrameBuilder.ipv4(0x0A00_0002, 0x0808_0808, proto: 6, sourcePort: 5001, destinationPort: 443), at: 2)
        session.ingest(FrameBuilder.ipv4(0x0A00_0009, 0x0808_0808, proto: 6, sourcePort: 5002, destinationPort: 443), at: 3)
        // Between two other namespaces of this host: routed or bridged here, and both ends' traffic.
        session.ingest(FrameBuilder.ipv4(0x0A00_0002, 0x0A00_0003, proto: 6, sourcePort: 5003, destinationPort: 22), at: 4)
        let keys = attributor.requests.map { ($0.key.local.port, $0.key.namespace, $0.firstFrameOutgoing) }
        #expect(keys.count == 5)
        #expect(keys.contains { $0 == (5000, 3, true) } && keys.contains { $0 == (80, 0, false) })
        #expect(keys.contains { $0 == (5001, 3, true) })
        #expect(keys.contains { $0 == (5003, 3, true) } && keys.contains { $0 == (22, 4, false) })
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.unknown.reasons[.notLocal]?.packets == 1, "only frames with no end on this host are not-local")
        #expect(session.counters.packets == 4)
    }

    @Test("Frames of a pending flow are credited to its owner when the answer arrives, none lost or doubled")
    func pendingFramesAreCreditedOnAnswer() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        for i in 0..<5 {
            session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 40000, destinationPort: 80, payload: 100), at: Int64(i))
        }
        let request = try #require(attributor.requests.first)
        #expect(attributor.requests.count == 1)
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(42), .exactSocket, SocketEvidence(inode: 7, cookie: 9, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 250)))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        let process = try #require(report.processes.first)
        #expect(process.identity.pid == 42)
        #expect(process.tx == TrafficCounter(packets: 5, bytes: 5 * 140))
        #expect(process.conversations.first?.latencyMicros == 250)
        #expect(report.unknown.tx.packets == 0)
    }

    @Test("Traffic between two non-local addresses is not-local, never looked up")
    func forwardedTrafficIsNotLocal() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.ipv4(0x0A00_0001, 0x0A00_0002, proto: 6, sourcePort: 1, destinationPort: 2), at: 1)
        session.ingest(FrameBuilder.ipv4(0x0A00_0002, 0x0A00_0001, proto: 6, sourcePort: 2, destinationPort: 1), at: 2)
        #expect(attributor.requests.isEmpty)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.unknown.reasons[.notLocal] == TrafficCounter(packets: 2, bytes: 80))
        #expect(report.unknown.conversations.count == 1)
    }

    @Test("After a socket closes, the same tuple used by a new socket is a new conversation with a new lookup")
    func closedSocketStartsANewConversation() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let frame = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 5306, destinationPort: 53, payload: 10)
        session.ingest(frame, at: 100)
        let first = try #require(attributor.requests.first)
        session.apply(AttributionResult(conversation: first.conversation, key: first.key,
                                        attribution: .process(identity(1, "first"), .exactSocket, SocketEvidence(inode: 1, cookie: 11, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 150)))
        session.socketClosed(SocketClosed(key: FlowKey(proto: .udp, local: Endpoint(address: .ipv4Any, port: 5306),
                                                       remote: Endpoint(address: .ipv4Any, port: 0), hasPorts: true),
                                          cookie: 11, closedAt: Timestamp(microseconds: 200)))
        session.ingest(frame, at: 300)
        #expect(attributor.requests.count == 2)
        let second = attributor.requests[1]
        session.apply(AttributionResult(conversation: second.conversation, key: second.key,
                                        attribution: .process(identity(2, "second"), .exactSocket, SocketEvidence(inode: 2, cookie: 22, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 350)))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.map(\.identity.pid) == [1, 2])
        #expect(report.processes.map(\.tx.packets) == [1, 1])
    }

    @Test("A close reported late splits a pending conversation at the close: later frames are a new socket's, looked up afresh")
    func lateCloseSplitsAPendingConversation() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let datagram = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 47000, destinationPort: 53, payload: 100)
        for micros in [100, 200, 300, 400] { session.ingest(datagram, at: Int64(micros)) }
        let first = try #require(attributor.requests.first)
        // The first socket was released at 250; its destroy event is read only now.
        session.socketClosed(SocketClosed(key: first.key, cookie: 11, closedAt: Timestamp(microseconds: 250)))
        #expect(attributor.requests.count == 2, "the frames after the close are looked up as a new socket's")
        let second = attributor.requests[1]
        #expect(second.firstSeen == Timestamp(microseconds: 300))
        session.apply(AttributionResult(conversation: first.conversation, key: first.key,
                                        attribution: .process(identity(1, "first"), .releasedSocket, SocketEvidence(inode: 0, cookie: 11, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 500)))
        session.apply(AttributionResult(conversation: second.conversation, key: second.key,
                                        attribution: .process(identity(2, "second"), .exactSocket, SocketEvidence(inode: 2, cookie: 22, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 600)))
        session.ingest(datagram, at: 700)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.map(\.identity.pid) == [1, 2])
        #expect(report.processes.map(\.tx.packets) == [2, 3])
        #expect(session.currentConversation(first.conversation, at: Timestamp(microseconds: 350)) == second.conversation)
        #expect(session.currentConversation(first.conversation, at: Timestamp(microseconds: 150)) == first.conversation)
    }

    @Test("A newer connection's SYN stamped before the late report of the earlier one's close on its tuple opens its own conversation")
    func synBeforeALateCloseReportOpensANewConversation() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        func frame(_ flags: UInt8) -> [UInt8] {
            FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 40000, destinationPort: 80, flags: flags)
        }
        session.ingest(frame(0x02), at: 100) // SYN
        session.ingest(frame(0x04), at: 150) // RST
        let first = try #require(attributor.requests.first)
        session.apply(AttributionResult(conversation: first.conversation, key: first.key,
                                        attribution: .process(identity(1, "first"), .exactSocket, SocketEvidence(inode: 1, cookie: 11, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 160)))
        // The earlier socket's close, read at 250, is taken before the ring's frames, which hold the next
        // connection's SYN on the same tuple, stamped 180.
        session.socketClosed(SocketClosed(key: first.key, cookie: 11, closedAt: Timestamp(microseconds: 250)))
        session.ingest(frame(0x02), at: 180)
        #expect(attributor.requests.count == 2, "the SYN is a new connection's, looked up as such")
        #expect(attributor.requests.last?.firstSeen == Timestamp(microseconds: 180))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.first?.tx.packets == 2, "the first connection keeps its own two frames")
    }

    @Test("A lookup that finds a newer socket than the one that closed meanwhile is not credited")
    func lookupAfterReuseIsNotCredited() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 5306, destinationPort: 53), at: 100)
        let request = try #require(attributor.requests.first)
        session.socketClosed(SocketClosed(key: request.key, cookie: 11, closedAt: Timestamp(microseconds: 200)))
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(2), .exactSocket, SocketEvidence(inode: 2, cookie: 22, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 900)))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.isEmpty)
        #expect(report.unknown.reasons[.socketClosedBeforeLookup]?.packets == 1)
    }

    @Test("A connection never accepted is credited to its listener's holder even though its own socket's close was seen")
    func neverAcceptedConnectionGoesToTheListenersHolderDespiteItsClose() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.ipv4(0xC612_0002, 0xC612_0001, proto: 6, sourcePort: 40000, destinationPort: 80,
                                         flags: 0x02), at: 100)
        let request = try #require(attributor.requests.first)
        // The connection's own socket (reset in the accept queue) closed; the answer's evidence is the listener.
        session.socketClosed(SocketClosed(key: request.key, cookie: 11, closedAt: Timestamp(microseconds: 200)))
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(2), .listeningSocket, SocketEvidence(inode: 9, cookie: 99, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 900)))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.map(\.identity.pid) == [2])
        #expect(report.unknown.reasons.isEmpty)
    }

    @Test("A socket that changes hands: frames up to the change stay with the opener, later ones are the heir's, without a new lookup")
    func handedOverSocketSplitsAtTheChange() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let data = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 40000, destinationPort: 80,
                                     flags: 0x18, payload: 100)
        session.ingest(data, at: 100)
        let request = try #require(attributor.requests.first)
        let evidence = SocketEvidence(inode: 5, cookie: 55, uid: 0)
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(1, "opener"), .exactSocket, evidence),
                                        resolvedAt: Timestamp(microseconds: 150)))
        session.ingest(data, at: 200)
        // The change at 300 is applied at 400, after a frame stamped 250 was already captured but not counted.
        session.ownerChanged(OwnerChange(cookie: 55, key: request.key,
                                         attribution: .process(identity(2, "heir"), .inheritedSocket, evidence),
                                         at: Timestamp(microseconds: 300)))
        session.ingest(data, at: 250)
        session.ingest(data, at: 500)
        session.ingest(data, at: 600)
        #expect(attributor.requests.count == 1)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.map(\.identity.pid) == [1, 2])
        #expect(report.processes.map(\.tx.packets) == [3, 2])
        #expect(report.processes.last?.conversations.first?.method == .inheritedSocket)
    }

    @Test("A socket whose new holder is not known yet (passed to another process): later frames are looked up afresh")
    func handOverToAnUnknownHolderAsksAgain() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let data = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 40000, destinationPort: 80,
                                     flags: 0x18, payload: 100)
        session.ingest(data, at: 100)
        let request = try #require(attributor.requests.first)
        let evidence = SocketEvidence(inode: 5, cookie: 55, uid: 0)
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(1, "opener"), .exactSocket, evidence),
                                        resolvedAt: Timestamp(microseconds: 150)))
        session.ownerChanged(OwnerChange(cookie: 55, key: request.key, attribution: nil, at: Timestamp(microseconds: 300)))
        session.ingest(data, at: 500)
        #expect(attributor.requests.count == 2)
        let again = try #require(attributor.requests.last)
        #expect(again.conversation != request.conversation && again.key == request.key)
        session.apply(AttributionResult(conversation: again.conversation, key: again.key,
                                        attribution: .process(identity(3, "receiver"), .exactSocket, evidence),
                                        resolvedAt: Timestamp(microseconds: 600)))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.map(\.identity.pid) == [1, 3])
        #expect(report.processes.map(\.tx.packets) == [1, 1])
    }

    @Test("A change of hands for a socket procscope did not credit changes nothing")
    func changeForAnUnknownSocketIsIgnored() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let data = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 40000, destinationPort: 53)
        session.ingest(data, at: 100)
        let request = try #require(attributor.requests.first)
        session.ownerChanged(OwnerChange(cookie: 77, key: request.key,
                                         attribution: .process(identity(2), .inheritedSocket, nil), at: Timestamp(microseconds: 150)))
        session.ingest(data, at: 200)
        #expect(attributor.requests.count == 1)
        #expect(session.table.slotCount == 1)
    }

    @Test("A SYN on a tuple whose connection ended starts a new conversation")
    func synAfterFinStartsNewEpoch() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 1, destinationPort: 2, flags: 0x02), at: 1)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 1, destinationPort: 2, flags: 0x11), at: 2)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 1, destinationPort: 2, flags: 0x02), at: 3)
        #expect(attributor.requests.count == 2)
    }

    @Test("Lookups that never answer are given up with a reason, not left pending")
    func unansweredLookupsExpire() {
        let session = session(RecordingAttributor())
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 1, destinationPort: 2), at: 0)
        session.expire(now: Timestamp(microseconds: 10_000_000))
        #expect(session.pendingCount == 0)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.unknown.reasons[.lookupTimedOut]?.packets == 1)
    }

    @Test("A full flow table counts new flows as flow-table-full, says so once a minute with what to change, and keeps it for the JSON")
    func fullFlowTableIsTold() {
        let session = CaptureSession(linkType: .raw,
                                     configuration: SessionConfiguration(localAddresses: LocalAddressSet([local]), maxLiveConversations: 2),
                                     attributor: RecordingAttributor())
        var warnings: [String] = []
        session.warn = { warnings.append($0) }
        for port in 1...5 {
            session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: UInt16(port), destinationPort: 53), at: Int64(port))
        }
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.unknown.reasons[.flowTableFull]?.packets == 3)
        #expect(warnings.count == 1 && warnings[0].contains("flow table is full") && warnings[0].contains("--max-flows"))
        #expect(report.capture.warnings.map(\.kind) == ["flow-table-full"])
        // Still full a minute later: said again, with the count so far.
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 99, destinationPort: 53), at: 61_000_010)
        #expect(warnings.count == 2 && warnings[1].contains("4 new flows refused"))
    }

    @Test("A socket closed after its pending log overflowed: none of the conversation is credited, and it is said")
    func overflowedPendingLogIsNotCredited() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        var warnings: [String] = []
        session.warn = { warnings.append($0) }
        let frame = FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 4000, destinationPort: 53)
        for n in 0...CaptureSession.pendingFrameLimit { session.ingest(frame, at: Int64(10 + n)) }
        let request = try #require(attributor.requests.first)
        session.socketClosed(SocketClosed(key: request.key, cookie: 5, closedAt: Timestamp(microseconds: 100)))
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(7), .exactSocket, SocketEvidence(inode: 1, cookie: 5, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 9000)))
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.isEmpty, "no frame credited")
        #expect(report.unknown.reasons[.socketClosedBeforeLookup]?.packets == UInt64(CaptureSession.pendingFrameLimit + 1))
        #expect(warnings.count == 1 && report.capture.warnings.map(\.kind) == ["pending-log-full"])
    }

    @Test("A final report lists the same conversations as slots as it does as values")
    func slotListingMatchesValues() {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        for port in 1...5 {
            session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: UInt16(port), destinationPort: 53), at: Int64(port))
        }
        for (n, request) in attributor.requests.prefix(3).enumerated() {
            session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                            attribution: .process(identity(Int32(10 + n % 2)), .exactSocket,
                                                                  SocketEvidence(inode: 5, cookie: UInt64(n + 1), uid: 0)),
                                            resolvedAt: Timestamp(microseconds: 10)))
        }
        let info = CaptureReport.CaptureInfo(interfaces: ["x"], filter: nil, started: .zero, ended: .zero)
        let values = session.report(info), slots = session.report(info, listing: .slots)
        #expect(values.unknown.conversations.count == 2)
        #expect(values.processes.map(\.conversations.count) == [2, 1])
        #expect(values.json == slots.json)
    }
}
