@testable import ProcscopeCore
import Testing

/// Memory that follows what is live: ended conversations are folded into their owner's totals, handed to the
/// outputs, and their slot reused, so a long run does not keep every conversation it ever saw.
@Suite struct ConversationRetirementTests {

    /// One short TCP connection from `port` (SYN, data, FIN) at `micros`, credited to `pid`.
    func connection(_ session: CaptureSession, _ attributor: RecordingAttributor, port: UInt16, at micros: Int64, pid: Int32) {
        for (offset, flags) in [(0, UInt8(0x02)), (10, 0x18), (20, 0x11)] {
            session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: port, destinationPort: 80,
                                             flags: flags, payload: 100), at: micros + Int64(offset))
        }
        let request = attributor.requests[attributor.requests.count - 1]
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(pid), .exactSocket, nil),
                                        resolvedAt: Timestamp(microseconds: micros + 5)))
    }

    @Test("Finished connections are folded into their owner's totals and their slots reused; the report keeps every byte")
    func finishedConnectionsFoldIntoTotals() {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        // One connection a second for 200 s, housekeeping after each: those finished more than 10 s ago go.
        for n in 0..<200 {
            connection(session, attributor, port: UInt16(1000 + n), at: Int64(n) * 1_000_000, pid: 7)
            session.retireIdle(now: Timestamp(microseconds: Int64(n) * 1_000_000 + 30))
        }
        #expect(session.liveConversationCount <= 11)
        #expect(session.table.slotCount <= 12, "slots are reused: \(session.table.slotCount)")
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.processes.count == 1)
        #expect(report.processes.first?.tx == TrafficCounter(packets: 600, bytes: 600 * 140))
        #expect(report.processes.first?.conversationCount == 200)
    }

    @Test("A pending conversation is never retired, however old; a flow that is only silent goes after 5 minutes")
    func pendingConversationsStay() {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 5000, destinationPort: 53), at: 0)
        session.retireIdle(now: Timestamp(microseconds: 1_000_000_000))
        #expect(session.liveConversationCount == 1)
        let request = attributor.requests[0]
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(identity(3), .boundSocket, nil), resolvedAt: .zero))
        session.retireIdle(now: Timestamp(microseconds: 200_000_000))
        #expect(session.liveConversationCount == 1, "silent 200 s: kept")
        session.retireIdle(now: Timestamp(microseconds: 400_000_000))
        #expect(session.liveConversationCount == 0, "silent 400 s: folded")
    }

    @Test("The NDJSON stream writes a retired conversation's last line before its slot is reused, once")
    func streamWritesTheLastLineAtRetirement() throws {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        let stream = ConversationStream()
        stream.follow(session)
        connection(session, attributor, port: 1000, at: 0, pid: 7)
        session.retireIdle(now: Timestamp(microseconds: 20_000_000))
        let retired = String(decoding: stream.takeRetiredLines(), as: UTF8.self)
        #expect(retired.split(separator: "\n").count == 1 && retired.contains(#""event":"closed""#)
                && retired.contains(#""pid":7"#))
        connection(session, attributor, port: 1001, at: 30_000_000, pid: 8)
        let later = String(decoding: stream.lines(session, now: .zero, final: true), as: UTF8.self)
        #expect(later.split(separator: "\n").count == 1 && later.contains(#""pid":8"#) && later.contains(#""port":1001"#))
    }

    @Test("An annotated file gives a reused slot's new conversation an id of its own: a re-read keeps them apart")
    func annotatedFileKeepsReusedSlotsApart() throws {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        let writer = AnnotatedCaptureWriter()
        let output = AnnotatedCaptureRoundTripTests.MemoryOutput()
        output.write(AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 256, interface: "x", filter: nil))
        session.observedPacketsKeepBytes = true
        session.packetObserver = { writer.append($0) }
        writer.follow(session)
        connection(session, attributor, port: 1000, at: 0, pid: 7)
        writer.drain(session, now: Timestamp(microseconds: 1), to: output)
        session.retireIdle(now: Timestamp(microseconds: 20_000_000))
        connection(session, attributor, port: 1001, at: 30_000_000, pid: 8)
        #expect(session.table.slotCount == 1, "the second connection took the first one's slot")
        let info = CaptureReport.CaptureInfo(interfaces: ["x"], filter: nil, started: .zero, ended: Timestamp(microseconds: 40_000_000))
        writer.finish(session, capture: info, now: Timestamp(microseconds: 40_000_000), to: output)
        let replayed = try AnnotatedCaptureRoundTripTests().replay(output.files[0])
        #expect(replayed.processes.map(\.identity.pid) == [7, 8])
        #expect(replayed.processes.map(\.tx.packets) == [3, 3])
    }

    @Test("After a burst retires, the table drops its free end and its memory; what stays live keeps its slot and key")
    func tableGivesBackABurstsMemory() {
        let table = ConversationTable()
        func key(_ i: Int) -> FlowKey {
            FlowKey(proto: .tcp, local: Endpoint(address: IPAddress(ipv4: UInt32(i)), port: UInt16(i & 0xFFFF)),
                    remote: Endpoint(address: .ipv4Loopback, port: 80), hasPorts: true)
        }
        for i in 0..<20_000 { _ = table.add(Conversation(key: key(i), firstSeen: .zero)) }
        let grownSlots = table.allocatedSlots, grownIndex = table.index.capacity
        for i in 0..<20_000 where i != 3 && i != 700 { table.retire(Int32(i)) }
        table.compact()
        #expect(table.slotCount == 701 && table.liveCount == 2)
        #expect(table.allocatedSlots < grownSlots / 8 && table.index.capacity < grownIndex / 8,
                "records \(grownSlots) -> \(table.allocatedSlots), index \(grownIndex) -> \(table.index.capacity)")
        #expect(table.find(key(3)) == 3 && table.find(key(700)) == 700 && table.find(key(5)) == nil)
        // Lowest first: the next conversations fill the holes at the start, so the end stays free.
        let next = (0..<3).map { table.add(Conversation(key: key(100_000 + $0), firstSeen: .zero)) }
        #expect(next == [0, 1, 2])
        #expect(table.find(key(100_001)) == 1)
    }

    @Test("An unknown conversation's detail is dropped with the last conversation that names it")
    func detailsGoWithTheirConversations() {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        func unknownFlow(port: UInt16, at micros: Int64, detail: String) {
            for (offset, flags) in [(0, UInt8(0x02)), (20, 0x11)] {
                session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: port, destinationPort: 80,
                                                 flags: flags, payload: 10), at: micros + Int64(offset))
            }
            let request = attributor.requests[attributor.requests.count - 1]
            session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                            attribution: .unknown(.lookupFailed, detail: detail), resolvedAt: .zero))
        }
        // Details that name a socket are as many as the conversations: they must not outlive them.
        for n in 0..<1000 { unknownFlow(port: UInt16(2000 + n), at: Int64(n) * 1000, detail: "socket (cookie \(n)) gone") }
        unknownFlow(port: 5000, at: 30_000_000, detail: "shared")
        unknownFlow(port: 5001, at: 30_000_000, detail: "shared")
        #expect(session.details.count == 1001)
        session.retireIdle(now: Timestamp(microseconds: 15_000_000))
        #expect(session.details.count == 1, "the 1,000 retired conversations' details are gone")
        let entries = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero)).unknown.conversations
        #expect(entries.map(\.detail) == ["shared", "shared"])
    }
}
