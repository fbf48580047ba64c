@testable import ProcscopeCore
import Testing

/// An annotated pcapng written from a session and read back gives the same report, byte for byte: owners,
/// methods, unknown reasons and details, unkeyed frames, loopback's two sides, and a conversation whose
/// lookup answered only after its first packet had been written.
@Suite struct AnnotatedCaptureRoundTripTests {
    /// Blocks in memory, rotated after `limit` bytes when given.
    final class MemoryOutput: AnnotatedCaptureOutput {
        var files: [[UInt8]] = [[]]
        var header: [UInt8] = []
        var limit = Int.max
        func write(_ block: [UInt8]) { files[files.count - 1] += block }
        func flush() {}
        func startsNewFileIfFull() -> Bool {
            guard files[files.count - 1].count >= limit else { return false }
            files.append(header)
            return true
        }
    }

    let local = IPAddress(ipv4: 0xC612_0001) // 198.18.0.1

    /// A live-like session: a loopback TCP exchange between pids 10 and 20, a UDP datagram from pid 30 that
    /// is answered only after it was written, a flow with an unknown reason, and a non-IP frame.
    func liveSession(writer: AnnotatedCaptureWriter, output: MemoryOutput) -> (CaptureSession, CaptureReport.CaptureInfo) {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw,
                                     configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                                     attributor: attributor)
        session.observedPacketsKeepBytes = true
        session.packetObserver = { writer.append($0) }
        func answer(_ request: Int, _ attribution: Attribution, at micros: Int64) {
            let asked = attributor.requests[request]
            session.apply(AttributionResult(conversation: asked.conversation, key: asked.key, attribution: attribution,
                                            resolvedAt: Timestamp(microseconds: micros)))
        }
        let evidence = SocketEvidence(inode: 4242, cookie: 7, uid: 0)
        session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0001, proto: 6, sourcePort: 40000, destinationPort: 80, flags: 0x02), at: 1_000)
        answer(0, .process(identity(10, "curl"), .exactSocket, evidence), at: 1_200)
        answer(1, .process(identity(20, "nginx"), .listeningSocket, nil), at: 1_300)
        session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0001, proto: 6, sourcePort: 80, destinationPort: 40000, flags: 0x12), at: 1_400)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 5353, destinationPort: 53, payload: 30), at: 2_000)
        session.ingest(FrameBuilder.ipv4(0xC612_0002, 0xC612_0001, proto: 17, sourcePort: 9, destinationPort: 7000, payload: 5), at: 2_500)
        answer(3, .unknown(.noSocket, detail: "nothing listens on udp 7000"), at: 2_600)
        session.ingest([0x60, 0, 0], at: 2_700) // truncated IPv6: undecodable
        var fragment = FrameBuilder.ipv4(0xC612_0002, 0xC612_0001, proto: 17, sourcePort: 1, destinationPort: 2, payload: 40)
        fragment[6] = 0x00
        fragment[7] = 0x64 // a later fragment whose first was never seen: no ports, no conversation
        session.ingest(fragment, at: 2_800)
        // A loopback port unreachable for a datagram never seen: it opens both sides' conversations at once,
        // the quoted sender's (rx) first.
        let unseen = FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0001, proto: 17, sourcePort: 6000, destinationPort: 6001, payload: 4)
        session.ingest(FrameBuilder.icmpError(0x7F00_0001, 0x7F00_0001, type: 3, code: 3, quoting: unseen), at: 2_900)
        // Everything so far is written; the datagram's lookup has not answered yet (forced, as after 1 s).
        writer.drain(session, now: Timestamp(microseconds: 3_000), force: true, to: output)
        answer(2, .process(identity(30, "dig"), .boundSocket, SocketEvidence(inode: 99, cookie: 8, uid: 0)), at: 3_500)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 5353, destinationPort: 53, payload: 10), at: 4_000)
        session.finish()
        var info = CaptureReport.CaptureInfo(interfaces: ["lo"], filter: "not arp", started: Timestamp(microseconds: 500),
                                             ended: Timestamp(microseconds: 5_000), droppedByKernel: 3)
        info.duplicates = 2
        return (session, info)
    }

    func replay(_ file: [UInt8]) throws -> CaptureReport {
        try file.withUnsafeBytes { bytes in
            var reader = try PcapngFileReader(bytes)
            let tables = try #require(reader.annotations())
            let session = CaptureSession(linkType: reader.linkType, configuration: SessionConfiguration(localAddresses: nil),
                                         attributor: FixedReasonAttributor(reason: .offlineCapture, detail: "-"))
            while let frame = try reader.next() {
                session.replay(frame.bytes, wireLength: frame.wireLength, at: frame.time, annotation: frame.annotation,
                               from: tables)
            }
            var report = session.report(tables.capture ?? .init(interfaces: [], filter: nil, started: .zero, ended: .zero))
            report.capture.duplicates = tables.capture?.duplicates ?? 0
            return report
        }
    }

    @Test("The report read back from the file equals the live report, byte for byte")
    func replayEqualsLive() throws {
        let writer = AnnotatedCaptureWriter(), output = MemoryOutput()
        output.write(AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 256, interface: "lo", filter: "not arp"))
        let (session, info) = liveSession(writer: writer, output: output)
        var live = session.report(info)
        live.capture.duplicates = 2
        writer.finish(session, capture: info, now: Timestamp(microseconds: 6_000), to: output)
        let replayed = try replay(output.files[0])
        #expect(String(decoding: replayed.json, as: UTF8.self) == String(decoding: live.json, as: UTF8.self))
        #expect(live.processes.map(\.identity.pid) == [10, 20, 30], "the fixture has the owners it means to have")
        #expect(live.unknown.reasons[.noSocket] != nil && live.unknown.reasons[.noTransportPorts] != nil)
        #expect(live.capture.undecodable == 1)
    }

    @Test("A nanosecond file (if_tsresol 9) carries each packet's nanoseconds and reads back to the live report")
    func nanosecondFileRoundTrips() throws {
        let writer = AnnotatedCaptureWriter(precision: .nano), output = MemoryOutput()
        output.write(AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 256, interface: "lo", filter: "not arp",
                                                   precision: .nano))
        let (session, info) = liveSession(writer: writer, output: output)
        var live = session.report(info)
        live.capture.duplicates = 2
        writer.finish(session, capture: info, now: Timestamp(microseconds: 6_000), to: output)
        let replayed = try replay(output.files[0])
        #expect(String(decoding: replayed.json, as: UTF8.self) == String(decoding: live.json, as: UTF8.self))

        let time = Timestamp(microseconds: 1_700_000_000_123_456)
        #expect(TimestampPrecision.nano.ticks(time, subMicroseconds: 789) == 1_700_000_000_123_456_789)
        #expect(TimestampPrecision.micro.ticks(time, subMicroseconds: 789) == 1_700_000_000_123_456)
        var file = PcapngWriter.sectionHeader(application: "test")
            + PcapngWriter.interface(linkType: .raw, snapLength: 256, name: "lo", precision: .nano)
        PcapngWriter.appendPacket(to: &file, interface: 0, ticks: TimestampPrecision.nano.ticks(time, subMicroseconds: 789),
                                  bytes: [0x45, 0], wireLength: 2, direction: 0, comment: [], custom: nil)
        try file.withUnsafeBytes { bytes in
            var reader = try PcapngFileReader(bytes)
            let frame = try #require(try reader.next())
            #expect(frame.time == time, "read back to the microsecond")
            #expect(reader.interfaces.first?.resolution.timestamp(ticks: 1_000_000_000) == Timestamp(microseconds: 1_000_000),
                    "the interface says nanoseconds")
        }
    }

    @Test("A packet comment names its process's container after it, defused; a process in none is named alone")
    func commentsNameContainers() throws {
        let writer = AnnotatedCaptureWriter(), output = MemoryOutput()
        output.write(AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 256, interface: "lo", filter: nil))
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                                     attributor: attributor)
        session.observedPacketsKeepBytes = true
        session.packetObserver = { writer.append($0) }
        var web = identity(10, "nginx")
        web.cgroup = "/system.slice/docker-" + String(repeating: "ab", count: 32) + ".scope"
        web.containerNames = ContainerNames(container: "web\u{1b}[2J")
        session.ingest(FrameBuilder.ipv4(0x7F00_0001, 0x7F00_0001, proto: 6, sourcePort: 40000, destinationPort: 80, flags: 0x02), at: 1_000)
        for (request, owner) in zip(attributor.requests, [identity(20, "curl"), web]) {
            session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                            attribution: .process(owner, .exactSocket, nil), resolvedAt: Timestamp(microseconds: 1_100)))
        }
        writer.drain(session, now: Timestamp(microseconds: 2_000), force: true, to: output)
        let comment = try output.files[0].withUnsafeBytes { bytes -> String in
            var reader = try PcapngFileReader(bytes)
            let frame = try #require(try reader.next())
            return String(decoding: frame.comment, as: UTF8.self)
        }
        #expect(comment == "procscope: 20/curl > 10/nginx [web?[2J]", "\(comment)")
    }

    @Test("Each rotated file carries the records its own packets need")
    func rotatedFileStandsAlone() throws {
        let writer = AnnotatedCaptureWriter(), output = MemoryOutput()
        output.header = AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 256, interface: "lo", filter: nil)
        output.write(output.header)
        output.limit = output.header.count + 1 // every packet starts a new file
        let (session, info) = liveSession(writer: writer, output: output)
        writer.finish(session, capture: info, now: Timestamp(microseconds: 6_000), to: output)
        #expect(output.files.count == 8, "one file per packet")
        // The second file holds the server's SYN-ACK alone: both owners are named, from its own records.
        let second = try replay(output.files[1])
        #expect(second.processes.map(\.identity.pid) == [10, 20])
        #expect(second.processes.flatMap(\.conversations).map(\.method) == [.exactSocket, .listeningSocket])
    }

    @Test("Records survive encoding, and a damaged one is refused rather than misread")
    func recordsRoundTrip() {
        let key = FlowKey(proto: .udp, local: Endpoint(address: .ipv6Loopback, port: 53),
                          remote: Endpoint(address: IPAddress(ipv4: 0x0A00_0001), port: 9), hasPorts: true, namespace: 3)
        var info = CaptureReport.CaptureInfo(interfaces: ["any"], filter: nil, started: Timestamp(microseconds: 1),
                                             ended: Timestamp(microseconds: 2), droppedByKernel: 4, droppedByInterface: 5)
        info.duplicates = 6
        var warned = info
        warned.warnings = [CaptureWarning(kind: "kernel-drops", message: "dropped\tsome"),
                           CaptureWarning(kind: "no-process-events", message: "")]
        let records: [AnnotationRecord] = [
            .process(id: 3, identity(77, "caf\u{e9}\u{1b}[2J")),
            .process(id: 4, ProcessIdentity(pid: 8, startTime: .zero, name: "app", executable: nil, commandLine: [], uid: 0,
                                            userName: nil, networkNamespace: 1, cgroup: "/kubepods/x", parentPID: 7,
                                            parentName: "containerd-shim",
                                            containerNames: ContainerNames(container: "app", pod: "web-1", namespace: "shop"))),
            .conversation(id: 9, ConversationRecord(key: key, owner: 3, method: .pingSocket, reason: nil, detail: nil,
                                                    inode: 12, latencyMicros: .max)),
            .conversation(id: 10, ConversationRecord(key: key.reversed, owner: nil, method: nil, reason: .timeWait,
                                                     detail: "held by the kernel", inode: 0, latencyMicros: 40)),
            .capture(info),
            .capture(warned),
        ]
        for record in records {
            let bytes = record.encoded
            #expect(bytes.withUnsafeBytes { AnnotationRecord($0) } == record)
            #expect(bytes.dropLast().withUnsafeBytes { AnnotationRecord($0) } == nil, "cut short")
        }
    }
}
