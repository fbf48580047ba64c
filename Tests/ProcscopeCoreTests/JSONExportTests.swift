import Dispatch
@testable import ProcscopeCore
import Testing

/// The JSON export (schema procscope/2) is a contract: its exact shape for a small capture is pinned here,
/// members sorted, so any change to it is deliberate.
@Suite struct JSONExportTests {
    @Test("A capture with one process and one unknown conversation exports exactly this document")
    func exportIsPinned() {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([])),
                                     attributor: attributor)
        session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0002, proto: 17, sourcePort: 1000, destinationPort: 53, payload: 4),
                       at: 1_700_000_000_000_000)
        session.apply(AttributionResult(conversation: attributor.requests[0].conversation, key: attributor.requests[0].key,
                                        attribution: .process(identity(42, "dig"), .exactSocket, SocketEvidence(inode: 7, cookie: 9, uid: 0)),
                                        resolvedAt: Timestamp(microseconds: 1_700_000_000_000_120)))
        session.finish()
        let report = session.report(.init(interfaces: ["lo"], filter: "udp", started: Timestamp(seconds: 1_700_000_000, microseconds: 0),
                                          ended: Timestamp(seconds: 1_700_000_001, microseconds: 0)))
        let json = String(decoding: report.json, as: UTF8.self)
        #expect(json == """
        {"capture":{"bytes":32,"dropped":{"interface":0,"kernel":0},"duplicates":0,"ended":"2023-11-14T22:13:21.000000Z",\
        "filter":"udp","interfaces":["lo"],"packets":1,"started":"2023-11-14T22:13:20.000000Z","undecodable":0,"warnings":[]},\
        "processes":[{"cgroup":null,"cmdline":["dig"],"container":null,"conversations":[{"attribution":{"inode":7,"latency_us":120,\
        "method":"exact-socket"},"first_seen":"2023-11-14T22:13:20.000000Z","id":"8974688100b95372",\
        "last_seen":"2023-11-14T22:13:20.000000Z","local":{"address":"127.0.0.1","port":1000},"protocol":"udp","remote":{"address":"127.0.0.2","port":53},\
        "rx":{"bytes":0,"packets":0},"tx":{"bytes":32,"packets":1}}],"exe":"/bin/dig","name":"dig","netns":1,"parent":null,"pid":42,\
        "ppid":null,"rx":{"bytes":0,"packets":0},"start_time":"1970-01-01T00:00:00.042000Z","tx":{"bytes":32,"packets":1},\
        "uid":0,"unit":null,"user":"root"}],"schema":"procscope/2","unknown":{"conversations":[{"attribution":{"inode":null,"latency_us":null,\
        "method":null},"detail":"capture ended before the socket lookup answered","first_seen":"2023-11-14T22:13:20.000000Z",\
        "id":"8006eed6181e6b7a","last_seen":"2023-11-14T22:13:20.000000Z","local":{"address":"127.0.0.2","port":53},"protocol":"udp",\
        "reason":"lookup-timed-out","remote":{"address":"127.0.0.1","port":1000},"rx":{"bytes":32,"packets":1},\
        "tx":{"bytes":0,"packets":0}}],"reasons":{"lookup-timed-out":{"bytes":32,"packets":1}},"rx":{"bytes":32,"packets":1},\
        "tx":{"bytes":0,"packets":0}}}

        """)
    }

    @Test("The streamed export is byte for byte the buffered one, in pieces no larger than asked plus one value",
          arguments: [1, 64, 1 << 16])
    func streamedExportEqualsBufferedExport(flushBytes: Int) throws {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([])),
                                     attributor: attributor)
        for port in UInt16(1000)..<1300 {
            session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0002, proto: 17, sourcePort: port, destinationPort: 53,
                                             payload: 4), at: 1_700_000_000_000_000)
        }
        for request in attributor.requests where request.key.local.port % 2 == 0 {
            session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                            attribution: .process(identity(Int32(request.key.local.port), "dig \"q\""),
                                                                  .exactSocket, nil),
                                            resolvedAt: Timestamp(microseconds: 1_700_000_000_000_120)))
        }
        session.finish()
        let report = session.report(.init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero))
        var pieces: [[UInt8]] = []
        var writer = JSONWriter(flushingEvery: flushBytes) { pieces.append($0) }
        report.write(to: &writer)
        writer.raw("\n")
        try writer.finish()
        #expect(pieces.count > 1 || flushBytes == 1 << 16)
        #expect(pieces.flatMap { $0 } == report.json)
        var streamed: [UInt8] = []
        try report.writeJSON { streamed += $0 }
        #expect(streamed == report.json)
    }

    @Test("Long conversation lists rendered a chunk per job, in any order the jobs run, are byte for byte one writer's",
          arguments: [CaptureSession.Listing.slots, .values])
    func parallelRenderingEqualsOneWriter(listing: CaptureSession.Listing) throws {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([])),
                                     attributor: attributor)
        // 5,000 conversations of one process, and more unknown (the other half of the clients, and every
        // receiving end): both lists are long enough to be split.
        for port in UInt16(1000)..<11000 {
            session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0002, proto: port % 3 == 0 ? 6 : 17, sourcePort: port,
                                             destinationPort: 53, payload: Int(port % 7)), at: 1_700_000_000_000_000 + Int64(port))
        }
        for request in attributor.requests where request.key.local.port % 2 == 0 {
            session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                            attribution: .process(identity(42, "dig"), .exactSocket, nil),
                                            resolvedAt: Timestamp(microseconds: 1_700_000_000_000_120)))
        }
        session.finish()
        let report = session.report(.init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero), listing: listing)
        #expect(report.processes.first?.conversations.count == 5000)
        #expect(report.unknown.conversations.count >= 2 * ConversationList.renderChunk)
        var alone: [UInt8] = []
        try report.writeJSON(to: { alone += $0 })

        // Jobs run last to first, three at a time, on this thread: each chunk still lands in its place.
        let backwards = ParallelJobs(width: 3) { count, job in for index in (0..<count).reversed() { job(index) } }
        var reordered: [UInt8] = []
        try report.writeJSON(to: { reordered += $0 }, jobs: backwards)
        #expect(reordered == alone)
        // And into a writer that keeps its text (no sink), as `json` makes the document.
        var kept = JSONWriter()
        report.write(to: &kept, jobs: backwards)
        #expect(kept.bytes + [UInt8(ascii: "\n")] == alone)

        // Real threads, with a writer that hands over small pieces between the spliced chunks.
        let threads = ParallelJobs(width: 2) { count, job in DispatchQueue.concurrentPerform(iterations: count, execute: job) }
        var pieces: [[UInt8]] = []
        var writer = JSONWriter(flushingEvery: 4096) { pieces.append($0) }
        report.write(to: &writer, jobs: threads)
        writer.raw("\n")
        try writer.finish()
        #expect(pieces.count > 1)
        #expect(pieces.flatMap { $0 } == alone)
    }

    @Test("A sink that fails stops the export, and the failure reaches the caller")
    func failingSinkIsReported() {
        struct Full: Error {}
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([])),
                                     attributor: RecordingAttributor())
        let report = session.report(.init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero))
        #expect(throws: Full.self) { try report.writeJSON { _ in throw Full() } }
    }
}
