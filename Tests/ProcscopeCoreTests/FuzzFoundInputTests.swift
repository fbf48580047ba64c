import Foundation
@testable import ProcscopeCore
import Testing

/// Inputs the fuzzers (`Scripts/fuzz.sh`) found to crash procscope, kept under `Fixtures/fuzz/<target>/` (where
/// they also seed the next runs) and read here the way the target read them.
@Suite struct FuzzFoundInputTests {
    static func fixture(_ path: String) throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return Array(try Data(contentsOf: root.appendingPathComponent("Fixtures/fuzz/\(path)")))
    }

    @Test("A pcapng whose frames are stamped near Int64's ends is read to a JSON that writes the nearest instants RFC 3339 can")
    func extremeTimestampsAreWrittenNotTrapped() throws {
        let bytes = try Self.fixture("capture-file/fuzz-crash-timestamp-int64-extreme.pcapng")
        let json = try bytes.withUnsafeBytes { input -> String in
            var reader = try CaptureFileReader(input)
            let session = CaptureSession(linkType: reader.linkType, configuration: SessionConfiguration(localAddresses: nil),
                                         attributor: RecordingAttributor())
            _ = try? reader.read(limit: 4096) { frame in
                session.ingest(frame.bytes, wireLength: frame.wireLength, at: frame.time)
            }
            session.finish()
            let report = session.report(.init(interfaces: ["fuzz"], filter: nil, started: .zero, ended: .zero),
                                        listing: .slots)
            return String(decoding: report.json, as: UTF8.self)
        }
        #expect(json.contains(#""schema":"procscope/2""#))
        #expect(json.contains("0001-01-01T00:00:00.000000Z") || json.contains("9999-12-31T23:59:59.999999Z"), "\(json)")
    }
}
