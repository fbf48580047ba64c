import ProcscopeCore
import ProcscopeLinux
import Testing

/// Bad input gets an error that names the file or expression and says why.
@Suite struct CaptureFileErrorTests {
    @Test("A file that is not a capture is refused with its path and libpcap's reason")
    func notACaptureIsRefused() {
        let path = Fixture.path("pcap/not-a-capture.pcap")
        #expect {
            _ = try PcapCaptureSource.file(path: path, filter: nil)
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("cannot read capture file")
        }
    }

    @Test("A missing file is refused with its path")
    func missingFileIsRefused() {
        #expect {
            _ = try PcapCaptureSource.file(path: "/nonexistent/trace.pcap", filter: nil)
        } throws: { error in "\(error)".contains("/nonexistent/trace.pcap") }
    }

    @Test("A bad filter shows libpcap's message and the expression")
    func badFilterIsExplained() {
        #expect {
            _ = try PcapCaptureSource.file(path: Fixture.path("pcap/ethernet-ipv4-tcp.pcap"), filter: "tcp port banana")
        } throws: { error in "\(error)".contains("bad capture filter 'tcp port banana'") }
    }

    @Test("A truncated last record is reported after the frames before it were delivered")
    func truncatedRecordKeepsEarlierFrames() throws {
        let capture = try FileCapture(path: Fixture.path("pcap/corrupt-truncated-record.pcap"), filter: nil)
        #expect(throws: CaptureError.self) { _ = try capture.run(until: StopCondition(), signals: nil) }
        #expect(capture.session.counters.packets == 1)
    }

    @Test("A filter applies to file reading: only matching frames are counted")
    func filterAppliesToFiles() throws {
        let capture = try FileCapture(path: Fixture.path("pcap/ethernet-ipv4-tcp.pcap"), filter: "tcp[tcpflags] & tcp-syn != 0")
        _ = try capture.run(until: StopCondition(), signals: nil)
        #expect(capture.session.counters.packets == 2)
    }
}
