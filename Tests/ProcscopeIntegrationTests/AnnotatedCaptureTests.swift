import Foundation
import Testing

/// `capture -w OUT.pcapng`: every packet of a loopback exchange is in the file, in order, with a comment
/// naming the PIDs the test started, which tshark and `procscope audit -r` read back.
extension IntegrationTests {
@Suite struct AnnotatedCaptureTests {
    @Test("tshark shows each packet's owners as its frame comment")
    func tsharkShowsTheOwners() throws {
        let namespace = try TestNamespace("pcapng")
        defer { namespace.tearDown() }
        let path = NSTemporaryDirectory() + "procscope-annotated-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-w", path, "tcp", "port", "5361"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5361", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5361", "3000", "20"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let comments = try Shell.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.comment"])
            .split(separator: "\n").filter { $0.hasPrefix("procscope: ") }
        #expect(comments.count == Int(report.packets), "one annotated frame per captured packet")
        let clientToServer = "procscope: \(client.pid)/procscope-testp > \(server.pid)/procscope-testp"
        let serverToClient = "procscope: \(server.pid)/procscope-testp > \(client.pid)/procscope-testp"
        #expect(!comments.isEmpty && comments.allSatisfy { $0 == clientToServer || $0 == serverToClient }, "\(comments)")

        // audit reads the annotations back: the same owners, packet by packet.
        let audit = try Shell.run([Shell.binaryDirectory + "/procscope", "audit", "-r", path, "--json"])
        let annotations = audit.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["annotation"] as? String
        }
        #expect(annotations.map { "procscope: " + $0 } == comments.map(String.init))
    }
}
}
