import Foundation
import Testing

/// `procscope audit --json`, live: every packet of a TCP exchange on loopback names its sender and receiver
/// by the PIDs the test started; every line parses; `-w` keeps the same packets with their owners.
extension IntegrationTests {
@Suite struct AuditTests {
    @Test("Each packet's line names the client and the server, as sender and receiver, in capture order")
    func auditLinesNameThePIDs() throws {
        let namespace = try TestNamespace("audit")
        defer { namespace.tearDown() }
        let written = NSTemporaryDirectory() + "procscope-audit-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: written) }
        let audit = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-w", written, "tcp", "port", "5341"], audit: true)
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5341", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5341", "2000", "20"])
        client.wait()
        let lines = try audit.stopAudit()
        server.stop()
        #expect(lines.count >= 6, "handshake, data and close")
        let times = lines.compactMap { $0["time"] as? String }
        #expect(times == times.sorted(), "capture order")
        for line in lines {
            let source = (line["source"] as? [String: Any])?["port"] as? Int
            let owners = (line["owners"] as? [[String: Any]] ?? []).map { ($0["pid"] as? Int ?? -1, $0["side"] as? String ?? "") }
            let (sender, receiver) = source == Int(client.port) ? (client.pid, server.pid) : (server.pid, client.pid)
            #expect(owners.count == 2 && owners.contains { $0 == (Int(sender), "sender") }
                    && owners.contains { $0 == (Int(receiver), "receiver") }, "\(line)")
            #expect(line["direction"] as? String == "local")
        }
        // audit -w kept the same packets, with their owners.
        let reread = try CaptureJSON.read(written)
        #expect(reread.packets == lines.count)
        #expect(Set(reread.processes.map(\.pid)) == [client.pid, server.pid])
        // audit -v on that file: each line ends with what is known of both owners.
        let verbose = try Shell.run([Shell.binaryDirectory + "/procscope", "audit", "-r", written, "-v"])
            .split(separator: "\n").filter { !$0.hasPrefix("reading from file") } // stderr's line, merged here
        #expect(verbose.count == lines.count)
        func details(_ pid: Int32) -> String { "\(pid): user root, exe " }
        #expect(verbose.allSatisfy { $0.contains(details(client.pid)) && $0.contains(details(server.pid))
                                     && $0.contains("/procscope-testpeer, parent ") }, "\(verbose.prefix(2))")
        // capture -v on it: the summary lists both processes' details after the table.
        let summary = try Shell.run([Shell.binaryDirectory + "/procscope", "capture", "-r", written, "-v"])
        #expect(summary.contains("\nProcesses:\n") && summary.contains("  " + details(client.pid))
                && summary.contains("  " + details(server.pid)), "\(summary)")
    }

    @Test("audit -r on a macOS tcpdump -k or a ptcpdump file lists the process the file names for each packet",
          arguments: [("apple-process-information.pcapng", ["77/curl?[2J", "501/Safari", "offline-capture>", "offline-capture>"]),
                      ("ptcpdump-comments.pcapng", ["4321/curl", "offline-capture>", "offline-capture>", "99/?]0;x?"])])
    func auditReadsOtherToolsProcesses(file: String, owners: [String]) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/pcap/" + file).path
        let lines = try Shell.run([Shell.binaryDirectory + "/procscope", "audit", "-r", fixture])
            .split(separator: "\n").filter { !$0.hasPrefix("reading from file") }
        #expect(lines.map { $0.split(separator: " ").last.map(String.init) ?? "" } == owners, "\(lines)")
    }
}
}
