/// A whole capture file, as `capture -r` reads it: the pcap or pcapng reader (every block type, both byte
/// orders, procscope's own annotation records and per-packet annotations), each frame through a session (or
/// replayed to its recorded conversations), then the report's JSON and summary.
enum CaptureFileTarget {
    /// Frames read per input at most: a large valid file says nothing more after this many.
    static let frameLimit = 4096

    static func run(_ input: UnsafeRawBufferPointer) {
        guard CaptureFileReader.recognizes(input), var reader = try? CaptureFileReader(input) else { return }
        var tables: CaptureAnnotations?
        if case .pcapng(let pcapng) = reader { tables = pcapng.annotations() }
        let session = CaptureSession(linkType: reader.linkType, configuration: SessionConfiguration(localAddresses: nil),
                                     attributor: FixedReasonAttributor(reason: .offlineCapture, detail: "fuzz"))
        var delivered = 0
        do {
            _ = try reader.read(limit: frameLimit) { frame in
                delivered += 1
                if let tables {
                    session.replay(frame.bytes, wireLength: frame.wireLength, at: frame.time,
                                   annotation: frame.annotation, from: tables)
                } else {
                    session.ingest(frame.bytes, wireLength: frame.wireLength, at: frame.time)
                }
            }
        } catch {
            _ = error.description // the positioned message a user would read
        }
        session.finish()
        let report = session.report(CaptureReport.CaptureInfo(interfaces: ["fuzz"], filter: nil, started: .zero,
                                                               ended: .zero), listing: .slots)
        _ = report.json
        _ = SummaryTable(report).text
    }
}
