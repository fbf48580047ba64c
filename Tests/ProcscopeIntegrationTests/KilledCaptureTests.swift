import Foundation
import Testing

/// Nothing lost to SIGKILL that was already handed out: the NDJSON stream is whole lines up to its last
/// interval, the pcapng file reads to its last whole block, and `--json` leaves no torn document (it is
/// written to a temporary file and renamed into place only when complete).
extension IntegrationTests {
@Suite struct KilledCaptureTests {
    @Test("After SIGKILL: NDJSON lines all parse, the pcapng reads to its end, no JSON document is left torn")
    func killedCaptureLeavesWholeOutputs() throws {
        let namespace = try TestNamespace("killed")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-killed-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (ndjson, pcapng, json) = (directory + "/out.ndjson", directory + "/out.pcapng", directory + "/out.json")
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "--ndjson", ndjson, "--interval", "0.2",
                                                                  "-w", pcapng, "--json", json, "tcp", "port", "5333"],
                                       document: false)
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5333", "5"])
        defer { server.stop() }
        for _ in 0..<5 {
            let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5333", "20000", "20"])
            client.wait()
        }
        usleep(600_000) // at least two stream intervals pass
        kill(capture.process.processIdentifier, SIGKILL)
        capture.process.waitUntilExit()

        let lines = try String(contentsOfFile: ndjson, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "", "the stream ends with a whole line")
        let objects = lines.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
        #expect(objects.count == lines.count - 1, "every line parses")
        #expect(objects.count >= 5, "the five connections were streamed before the kill")
        // The pcapng file: procscope reads it back without a read error, with the packets written so far.
        let read = try CaptureJSON.read(pcapng)
        #expect(read.packets > 20, "packets written before the kill: \(read.packets)")
        // The JSON document is written only at the end: after a kill there is none, and no temporary left.
        #expect(!FileManager.default.fileExists(atPath: json))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(".procscope-") }
        #expect(leftovers.isEmpty)
    }
}
}
