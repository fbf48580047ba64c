@testable import ProcscopeCore
import Testing

/// The Prometheus side: what a session's traffic becomes as series, the text format, and the HTTP answers,
/// all without sockets.
@Suite struct MetricsTests {

    /// One UDP datagram of `payload` bytes from `port`; the owner is answered as given (nil: left pending).
    func datagram(_ session: CaptureSession, _ attributor: RecordingAttributor, port: UInt16, payload: Int = 100,
                  at micros: Int64 = 0, answer: Attribution?) {
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: port, destinationPort: 53,
                                         payload: payload), at: micros)
        guard let answer else { return }
        let request = attributor.requests[attributor.requests.count - 1]
        session.apply(AttributionResult(conversation: request.conversation, key: request.key, attribution: answer,
                                        resolvedAt: Timestamp(microseconds: micros + 300)))
    }

    @Test("Programs, not PIDs: two processes of one program share a series; a pending flow waits for its answer")
    func programsAreSeriesAndPendingWaits() {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        datagram(session, attributor, port: 1000, answer: .process(identity(10, "curl"), .exactSocket, nil))
        datagram(session, attributor, port: 1001, answer: .process(identity(11, "curl"), .exactSocket, nil))
        datagram(session, attributor, port: 1002, answer: .process(identity(12, "nginx"), .exactSocket, nil))
        datagram(session, attributor, port: 1003, answer: nil)
        datagram(session, attributor, port: 1004, answer: .unknown(.lookupFailed, detail: "x"))
        let snapshot = MetricsCollector().snapshot(of: session)
        #expect(snapshot.programs.map(\.key.program) == ["curl", "nginx"])
        #expect(snapshot.programs.map(\.tx.packets) == [2, 1])
        #expect(snapshot.programs[0].tx.bytes == 2 * 128)
        #expect(snapshot.unattributed.map(\.reason) == [.lookupFailed], "the pending flow is not under any reason yet")
        #expect(snapshot.pendingLookups == 1 && snapshot.liveConversations == 5)
        #expect(snapshot.latency.count == 3 && snapshot.latency.counts[3] == 3, "300 us: the 250-500 us bucket")
    }

    @Test("Past the series limit, new programs count under other, and the fold is counted; retired traffic stays in")
    func seriesLimitFoldsIntoOther() {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        let collector = MetricsCollector(seriesLimit: 2)
        for (index, name) in ["a", "b", "c", "d", "c"].enumerated() {
            datagram(session, attributor, port: UInt16(2000 + index), at: Int64(index),
                     answer: .process(identity(Int32(20 + index), name), .exactSocket, nil))
        }
        let first = collector.snapshot(of: session)
        #expect(first.programs.map(\.key.program) == ["a", "b", "other"])
        #expect(first.programs.map(\.tx.packets) == [1, 1, 3])
        #expect(first.foldedPrograms == 2)
        // Folded away after 5 minutes of silence: the counters keep their bytes.
        session.retireIdle(now: Timestamp(microseconds: 400_000_000))
        #expect(session.liveConversationCount == 0)
        #expect(collector.snapshot(of: session).programs.map(\.tx.packets) == [1, 1, 3])
    }

    @Test("A counter never goes down, even when an answer moves bytes elsewhere")
    func countersNeverFall() {
        let attributor = RecordingAttributor()
        let session = retiringSession(attributor)
        let collector = MetricsCollector()
        datagram(session, attributor, port: 3000, answer: .process(identity(30, "dig"), .exactSocket, nil))
        let before = collector.snapshot(of: session).programs[0].tx
        // The conversation is re-resolved as unknown (its bytes leave the program's total).
        session.resolve(0, as: .socketClosedBeforeLookup, detail: "moved")
        let after = collector.snapshot(of: session)
        #expect(after.programs[0].tx == before)
        #expect(after.unattributed.first?.tx.packets == 1)
    }

    @Test("The text format: HELP and TYPE per family, escaped labels, a cumulative histogram in exact seconds")
    func textFormat() {
        var snapshot = MetricsSnapshot()
        snapshot.version = "1.2"
        snapshot.programs = [.init(key: ProgramSeriesKey(program: "we\"ird\\na\nme", user: "root"),
                                   tx: TrafficCounter(packets: 3, bytes: 300), rx: TrafficCounter())]
        snapshot.unattributed = [.init(reason: .notLocal, tx: TrafficCounter(packets: 1, bytes: 60), rx: TrafficCounter())]
        snapshot.latency.observe(micros: 40)
        snapshot.latency.observe(micros: 300)
        snapshot.latency.observe(micros: 9_000_000)
        snapshot.residentBytes = 4096
        let text = PrometheusText.render(snapshot)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains(#"procscope_process_transmit_bytes_total{program="we\"ird\\na\nme",user="root"} 300"#))
        #expect(lines.contains(#"procscope_unattributed_bytes_total{reason="not-local",direction="transmit"} 60"#))
        #expect(lines.contains(#"procscope_attribution_latency_seconds_bucket{le="0.00005"} 1"#))
        #expect(lines.contains(#"procscope_attribution_latency_seconds_bucket{le="0.0005"} 2"#))
        #expect(lines.contains(#"procscope_attribution_latency_seconds_bucket{le="5"} 2"#))
        #expect(lines.contains(#"procscope_attribution_latency_seconds_bucket{le="+Inf"} 3"#))
        #expect(lines.contains("procscope_attribution_latency_seconds_sum 9.00034"))
        #expect(lines.contains(#"procscope_build_info{version="1.2"} 1"#))
        #expect(lines.contains("process_resident_memory_bytes 4096"))
        #expect(!lines.contains { $0.hasPrefix("process_cpu_seconds_total") }, "not read: not exported")
        // Every sample's family was announced first.
        var announced = Set<String>()
        for line in lines {
            if line.hasPrefix("# TYPE ") { announced.insert(String(line.split(separator: " ")[2])) }
            guard !line.hasPrefix("#") else { continue }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                name.hasSuffix(suffix) && announced.contains(String(name.dropLast(suffix.count))) ? String(name.dropLast(suffix.count)) : name
            }
            #expect(announced.contains(family), "\(line)")
        }
    }

    @Test("HTTP: GET /metrics answers the text, HEAD only its head, other paths 404, other methods 405, garbage 400")
    func httpAnswers() {
        func answer(_ request: String) -> String {
            String(decoding: MetricsRequest.response(to: Array(request.utf8), metrics: { Array("m 1\n".utf8) }), as: UTF8.self)
        }
        let ok = answer("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(ok.hasPrefix("HTTP/1.1 200 OK\r\n") && ok.contains("Content-Length: 4\r\n") && ok.hasSuffix("\r\n\r\nm 1\n"))
        #expect(ok.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        let head = answer("HEAD /metrics HTTP/1.0\n\n")
        #expect(head.hasPrefix("HTTP/1.1 200 OK") && head.contains("Content-Length: 4\r\n") && head.hasSuffix("\r\n\r\n"))
        #expect(answer("GET /other HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404"))
        #expect(answer("POST /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405"))
        #expect(answer("GET /metrics\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        #expect(answer("\u{0}\u{1}\r\n\r\n").hasPrefix("HTTP/1.1 400"))
        #expect(answer("GET /metrics HTTP/1.1\r\n").hasPrefix("HTTP/1.1 400"), "no blank line: not a whole request")
        #expect(!MetricsRequest.isComplete(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8)))
        #expect(MetricsRequest.isComplete(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8)))
    }
}
