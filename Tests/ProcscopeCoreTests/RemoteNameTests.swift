import Foundation
@testable import ProcscopeCore
import Testing

/// Remote names from the DNS answers the capture sees: the parser on resolvers' responses and on damaged
/// ones (`Fixtures/dns`, written by Scripts/make-fixtures.py), and a session that names a conversation's
/// remote end from an answer it captured.
@Suite struct RemoteNameTests {
    func message(_ file: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return Array(try Data(contentsOf: root.appendingPathComponent("Fixtures/dns/\(file)")))
    }

    /// `message` as a UDP datagram from 198.18.0.53:`port` to 198.18.0.1:40000.
    func datagram(_ message: [UInt8], from port: UInt16 = 53) -> [UInt8] {
        var frame = FrameBuilder.ipv4(0xC612_0035, 0xC612_0001, proto: 17, sourcePort: port, destinationPort: 40000,
                                      payload: message.count)
        frame.replaceSubrange((frame.count - message.count)..., with: message)
        return frame
    }

    func answers(_ file: String) throws -> [DNSAnswers.Answer] {
        try message(file).withUnsafeBytes { DNSAnswers.parse($0) }
    }

    @Test("An A answer with a compressed name; a CNAME chain's A and AAAA named by the question")
    func answersAreNamedByTheQuestion() throws {
        #expect(try answers("a.bin") == [.init(name: "www.example.com", address: IPAddress(ipv4: 0x5DB8_D822), ttl: 300)])
        let chain = try answers("cname-chain.bin")
        #expect(chain.map(\.name) == ["shop.example.net", "shop.example.net"])
        #expect(chain.map(\.address.description) == ["198.51.100.7", "2001:db8::7"])
        #expect(chain.map(\.ttl) == [20, 20])
    }

    @Test("Damage gives what was read before it, or nothing: a cut answer, pointer loops, errors, queries",
          arguments: ["truncated.bin", "pointer-loop.bin", "pointer-forward.bin", "nxdomain.bin", "query.bin"])
    func damagedMessagesGiveNothingWrong(file: String) throws {
        let found = try answers(file)
        if file == "truncated.bin" {
            #expect(found.map(\.address.description) == ["198.51.100.7"], "the records before the cut")
        } else {
            #expect(found.isEmpty)
        }
        // Every prefix of every message parses without trapping.
        let bytes = try message(file)
        for length in 0...bytes.count { _ = bytes[..<length].withUnsafeBytes { DNSAnswers.parse($0) } }
    }

    @Test("The decoder marks a response with answers from a DNS, mDNS or LLMNR port; queries, errors and other ports not",
          arguments: [("a.bin", 53, true), ("a.bin", 5353, true), ("a.bin", 5355, true), ("a.bin", 54, false),
                      ("query.bin", 53, false), ("nxdomain.bin", 53, false)])
    func decoderMarksAnswers(file: String, port: Int, marked: Bool) throws {
        let dns = try message(file)
        let frame = datagram(dns, from: UInt16(port))
        let decoded = frame.withUnsafeBytes { FrameDecoder(linkType: .raw).decode($0, wireLength: frame.count) }
        guard case .ip(let ip) = decoded else { Issue.record("not decoded as IP"); return }
        #expect(ip.carriesDNSAnswers == marked)
    }

    @Test("DNS over TCP: a whole length-prefixed response in one segment names the remote; part of one is not read")
    func tcpAnswersNameRemotes() throws {
        let dns = try message("a.bin")
        func segment(declaring length: Int) -> [UInt8] {
            var frame = FrameBuilder.ipv4(0xC612_0035, 0xC612_0001, proto: 6, sourcePort: 53, destinationPort: 40000,
                                          flags: 0x18, payload: dns.count + 2)
            frame[32] = 0x50 // a 20-byte TCP header
            frame.replaceSubrange((frame.count - dns.count - 2)..., with: FrameBuilder.be16(UInt16(length)) + dns)
            return frame
        }
        func marked(_ frame: [UInt8]) -> Bool {
            guard case .ip(let ip) = frame.withUnsafeBytes({ FrameDecoder(linkType: .raw).decode($0, wireLength: frame.count) })
            else { return false }
            return ip.carriesDNSAnswers
        }
        #expect(marked(segment(declaring: dns.count)))
        #expect(!marked(segment(declaring: dns.count + 10)), "the message goes on in the next segment")

        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(
            localAddresses: LocalAddressSet([IPAddress(ipv4: 0xC612_0001)])), attributor: RecordingAttributor())
        session.ingest(segment(declaring: dns.count), at: 1_000)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0x5DB8_D822, proto: 6, sourcePort: 40001, destinationPort: 443,
                                         flags: 0x02), at: 2_000)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        #expect(report.unknown.conversations.contains { $0.remoteName == "www.example.com" })
    }

    @Test("A conversation to an address a captured DNS answer named carries the name; others do not")
    func sessionNamesRemoteEnds() throws {
        let local = IPAddress(ipv4: 0xC612_0001)
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                                     attributor: attributor)
        // The resolver's answer (from 198.18.0.53:53), then a connection to the address it gave.
        let dns = try message("a.bin")
        session.ingest(datagram(dns), at: 1_000)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0x5DB8_D822, proto: 6, sourcePort: 40001, destinationPort: 443,
                                         flags: 0x02), at: 2_000)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0x0A00_0001, proto: 6, sourcePort: 40002, destinationPort: 443,
                                         flags: 0x02), at: 3_000)
        let report = session.report(.init(interfaces: ["x"], filter: nil, started: .zero, ended: .zero))
        let named = report.unknown.conversations.map { ($0.key.remote.address.description, $0.remoteName) }
        #expect(named.contains { $0 == ("93.184.216.34", "www.example.com") })
        #expect(named.contains { $0 == ("10.0.0.1", nil) })
        let json = String(decoding: report.json, as: UTF8.self)
        #expect(json.contains(#""remote":{"address":"93.184.216.34","name":"www.example.com","port":443}"#))
    }

    @Test("The process whose question an answer came back to is named beside the name; a file written live reads back the same")
    func askerIsNamedAndReplayed() throws {
        let local = IPAddress(ipv4: 0xC612_0001)
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                                     attributor: attributor)
        let writer = AnnotatedCaptureWriter(), output = AnnotatedCaptureRoundTripTests.MemoryOutput()
        output.write(AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 512, interface: "x", filter: nil))
        session.observedPacketsKeepBytes = true
        session.packetObserver = { writer.append($0) }
        // dig (pid 30) asks 198.18.0.53, which answers; then curl (pid 40) connects to the address.
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0035, proto: 17, sourcePort: 40000, destinationPort: 53,
                                         payload: 30), at: 1_000)
        let question = try #require(attributor.requests.first)
        session.apply(AttributionResult(conversation: question.conversation, key: question.key,
                                        attribution: .process(identity(30, "dig"), .exactSocket, nil),
                                        resolvedAt: Timestamp(microseconds: 1_100)))
        let dns = try message("a.bin")
        session.ingest(datagram(dns), at: 2_000)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0x5DB8_D822, proto: 6, sourcePort: 40001, destinationPort: 443,
                                         flags: 0x02), at: 3_000)
        let connection = try #require(attributor.requests.last)
        session.apply(AttributionResult(conversation: connection.conversation, key: connection.key,
                                        attribution: .process(identity(40, "curl"), .exactSocket, nil),
                                        resolvedAt: Timestamp(microseconds: 3_100)))
        session.finish()
        let info = CaptureReport.CaptureInfo(interfaces: ["x"], filter: nil, started: .zero, ended: Timestamp(microseconds: 4_000))
        let live = session.report(info)
        let json = String(decoding: live.json, as: UTF8.self)
        #expect(json.contains(#""remote":{"address":"93.184.216.34","name":"www.example.com","name_asked_by":{"name":"dig","pid":30},"port":443}"#),
                "\(json)")
        writer.finish(session, capture: info, now: Timestamp(microseconds: 5_000), to: output)
        let replayed = try AnnotatedCaptureRoundTripTests().replay(output.files[0])
        #expect(String(decoding: replayed.json, as: UTF8.self) == json, "the names and who asked, read back from the file")
    }

    @Test("The name table stays bounded, and a name is not given to a conversation long after its answer")
    func namesAreBoundedAndAge() {
        var names = RemoteNames(generationLimit: 100)
        for n in 0..<10_000 {
            names.learn(.init(name: "host\(n)", address: IPAddress(ipv4: UInt32(n)), ttl: 60), at: .zero)
        }
        #expect(names.count <= 200)
        #expect(names.name(of: IPAddress(ipv4: 9_999), at: Timestamp(microseconds: 1_000_000)) == "host9999")
        #expect(names.name(of: IPAddress(ipv4: 9_999), at: Timestamp(microseconds: 7_200_000_000)) == nil, "after an hour")
        #expect(names.name(of: IPAddress(ipv4: 5), at: .zero) == nil, "evicted")
    }
}
