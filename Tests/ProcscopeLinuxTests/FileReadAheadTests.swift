import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// Reading ahead on a second thread hands the session exactly the frames, in the order, that reading in place
/// does; a corrupt tail arrives after the frames before it; stopping early never hangs.
@Suite struct FileReadAheadTests {
    static let fixtures = ["ethernet-ipv4-tcp.pcap", "ethernet-ipv4-fragments.pcap", "sll2-ipv4-tcp-ifindex.pcap",
                           "pcapng-two-sections-both-byte-orders.pcapng", "ethernet-malformed.pcap",
                           "corrupt-truncated-record.pcap", "corrupt-pcapng-trailer.pcapng"]

    /// Every frame handed out, as (time, wire length, decoded), and the error that ended the file, if any.
    static func frames(_ name: String, threaded: Bool, filter: String? = nil) throws
        -> (frames: [String], error: String?) {
        let source = try #require(try CaptureFileSource(path: Fixture.path("pcap/" + name), filter: filter))
        let ahead = FileReadAhead(source: source, plain: true, threaded: threaded)
        var frames: [String] = []
        while true {
            let batch = ahead.next()
            for frame in UnsafeBufferPointer(start: batch.frames, count: batch.count) {
                frames.append(frame.isPlain ? "\(frame.time) plain \(frame.decodedFrame) \(frame.hash)"
                              : "\(frame.time) whole \(frame.wireLength) \(Array(frame.bytes))")
            }
            if batch.ended { return (frames, batch.error.map { "\($0)" }) }
            ahead.done(with: batch)
        }
    }

    @Test("The reader thread hands over what reading in place does, errors included", arguments: fixtures)
    func threadedMatchesInPlace(name: String) throws {
        let inPlace = try Self.frames(name, threaded: false), threaded = try Self.frames(name, threaded: true)
        #expect(threaded.frames == inPlace.frames)
        #expect(threaded.error == inPlace.error)
        #expect(!inPlace.frames.isEmpty)
        if name.hasPrefix("corrupt") { #expect(inPlace.error != nil, "a corrupt tail is reported after its frames") }
    }

    @Test("A prepared frame holds no references, so frames are decoded over uninitialized or counted slots")
    func preparedFramesAreTrivialToOverwrite() {
        #expect(_isPOD(PreparedFrame.self))
    }

    @Test("A filter keeps only its frames, read ahead as in place")
    func filterApplies() throws {
        let all = try Self.frames("ethernet-ipv4-tcp.pcap", threaded: true)
        let tcp = try Self.frames("ethernet-ipv4-tcp.pcap", threaded: true, filter: "tcp")
        let none = try Self.frames("ethernet-ipv4-tcp.pcap", threaded: true, filter: "udp port 1")
        #expect(tcp.frames.count <= all.frames.count && !tcp.frames.isEmpty)
        #expect(none.frames.isEmpty && none.error == nil)
    }

    @Test("Stopping after the first batch returns at once, the reader thread ended")
    func stoppingEarlyDoesNotHang() throws {
        let source = try #require(try CaptureFileSource(path: Fixture.path("pcap/ethernet-ipv4-tcp.pcap"), filter: nil))
        let ahead = FileReadAhead(source: source, plain: true, threaded: true)
        _ = ahead.next()
        ahead.stop()
        ahead.stop() // twice is harmless
    }

    /// The JSON report of a file session that counted `name` read ahead (plain frames where allowed), or frame
    /// by frame from `dispatch`.
    static func report(_ name: String, readAhead: Bool) throws -> String {
        let source = try #require(try CaptureFileSource(path: Fixture.path("pcap/" + name), filter: nil))
        let session = CaptureSession(linkType: source.linkType, configuration: SessionConfiguration(localAddresses: nil),
                                     attributor: FixedReasonAttributor(reason: .offlineCapture, detail: "a file"))
        if readAhead {
            let ahead = FileReadAhead(source: source, plain: session.takesPlainFrames, threaded: true)
            while true {
                let batch = ahead.next()
                _ = session.ingest(UnsafeBufferPointer(start: batch.frames, count: batch.count))
                if batch.ended { break }
                ahead.done(with: batch)
            }
        } else {
            // To the end, or to a corrupt tail (the frames before it are counted when it is thrown).
            while (try? source.dispatch(limit: 1024, { session.ingest($0, wireLength: $1, at: $2) })) != nil {}
        }
        var json: [UInt8] = []
        try session.report(.init(interfaces: ["file"], filter: nil, started: .zero, ended: .zero)).writeJSON { json += $0 }
        return String(decoding: json, as: UTF8.self)
    }

    @Test("A file counted read ahead, plain frames and whole, reports what counting it frame by frame does",
          arguments: fixtures)
    func readAheadReportsAsFrameByFrame(name: String) throws {
        let frameByFrame = try Self.report(name, readAhead: false)
        #expect(try Self.report(name, readAhead: true) == frameByFrame)
        #expect(frameByFrame.contains("\"packets\":"))
    }
}
