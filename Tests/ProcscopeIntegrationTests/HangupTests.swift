import Foundation
import Testing

/// SIGHUP reopens the files written as the capture runs, as logrotate expects: the moved-away files end whole
/// and readable, the capture goes on into new files of the same names, and nothing is lost between them.
extension IntegrationTests {
@Suite struct HangupTests {
    @Test("After the files are moved and SIGHUP sent, both old and new NDJSON and pcapng files are whole and credited")
    func hangupReopensOutputs() throws {
        let namespace = try TestNamespace("hangup")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-hangup-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (ndjson, pcapng) = (directory + "/out.ndjson", directory + "/out.pcapng")
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "--ndjson", ndjson, "--interval", "0.2",
                                                                  "-w", pcapng, "udp", "port", "5334"],
                                       document: false)
        let server = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5334", "10"])
        defer { server.stop() }
        func exchange() throws -> Int32 {
            let client = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5334", "200", "20"])
            client.wait()
            return client.pid
        }
        let before = try exchange()
        usleep(600_000) // streamed and written
        try FileManager.default.moveItem(atPath: ndjson, toPath: ndjson + ".1")
        try FileManager.default.moveItem(atPath: pcapng, toPath: pcapng + ".1")
        kill(capture.process.processIdentifier, SIGHUP)
        usleep(300_000)
        let after = try exchange()
        usleep(600_000)
        #expect(capture.stopQuietly() == 0, "SIGHUP did not stop the capture")

        func streamedPIDs(_ path: String) throws -> Set<Int32> {
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(objects.count == lines.count, "every line of \(path) parses")
            return Set(objects.compactMap { (($0["owner"] as? [String: Any])?["pid"] as? Int).map(Int32.init) })
        }
        #expect(try streamedPIDs(ndjson + ".1").contains(before))
        #expect(try streamedPIDs(ndjson).contains(after), "the new stream goes on after the hang-up")
        // Both pcapng files read back with their owners: the old one ends whole, the new one starts a section.
        let old = try CaptureJSON.read(pcapng + ".1"), new = try CaptureJSON.read(pcapng)
        #expect(old.processes.contains { $0.pid == before })
        #expect(new.processes.contains { $0.pid == after })
        #expect(!new.processes.contains { $0.pid == before }, "the new file holds only what came after")
    }
}
}
