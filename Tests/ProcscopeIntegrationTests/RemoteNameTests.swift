import Foundation
import Testing

/// Remote names without asking anyone: a client resolves a name through a real DNS server (dnsmasq, in the
/// test's namespace, named in that namespace's resolv.conf) and connects; procscope, which sent no query,
/// names the conversation's remote end from the answer it captured.
extension IntegrationTests {
@Suite struct RemoteNameCaptureTests {
    @Test("A client that resolved app.procscope.test through dnsmasq and connected: its conversation's remote end is named",
          arguments: ["udp", "tcp"])
    func capturedAnswerNamesTheConversation(transport: String) throws {
        let namespace = try TestNamespace("dns" + transport)
        defer { namespace.tearDown() }
        try namespace.exec(["ip", "addr", "add", "198.18.7.7/32", "dev", "lo"])
        // `use-vc`: glibc asks over TCP, and the answer comes back length-prefixed in a TCP segment.
        let dns = try DNSResponder(in: namespace, records: ["--address=/app.procscope.test/198.18.7.7"],
                                   resolverOptions: "attempts:1 timeout:2" + (transport == "tcp" ? " use-vc" : ""))
        defer { dns.stop() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo"])
        let server = try Peer.start(in: namespace, ["tcp-server", "198.18.7.7", "5380", "10"])
        defer { server.stop() }
        let resolved = try Shell.run(namespace.commandPrefix + ["python3", "-c", """
            import socket
            address = socket.getaddrinfo("app.procscope.test", 5380, socket.AF_INET, socket.SOCK_STREAM)[0][4]
            connection = socket.create_connection(address)
            connection.sendall(b"x" * 1000)
            connection.close()
            print(address[0])
            """])
        #expect(resolved.trimmingCharacters(in: .whitespacesAndNewlines) == "198.18.7.7", "dnsmasq answered")
        let report = try capture.stop()
        let processes = report.root["processes"] as? [[String: Any]] ?? []
        let remotes = processes.flatMap { ($0["conversations"] as? [[String: Any]] ?? []) }
            .compactMap { $0["remote"] as? [String: Any] }
        // The question went the way asked: a conversation with port 53 over that protocol.
        let conversations = processes.flatMap { ($0["conversations"] as? [[String: Any]] ?? []) }
        #expect(conversations.contains { $0["protocol"] as? String == transport
            && (($0["local"] as? [String: Any])?["port"] as? Int == 53 || ($0["remote"] as? [String: Any])?["port"] as? Int == 53) },
                "DNS over \(transport)")
        let toServer = remotes.filter { $0["address"] as? String == "198.18.7.7" && $0["port"] as? Int == 5380 }
        #expect(!toServer.isEmpty, "the client's conversation was attributed")
        #expect(toServer.allSatisfy { $0["name"] as? String == "app.procscope.test" }, "\(toServer)")
        // The client asked the question itself: it is named as the asker.
        let client = processes.first { $0["name"] as? String == "python3" }
        #expect(client != nil, "the resolving client was attributed")
        #expect(toServer.allSatisfy { ($0["name_asked_by"] as? [String: Any])?["pid"] as? Int == client?["pid"] as? Int
            && ($0["name_asked_by"] as? [String: Any])?["name"] as? String == "python3" }, "\(toServer); \(report.whoAndWhy)")
        #expect(!remotes.contains { ($0["name"] as? String) != nil && $0["address"] as? String != "198.18.7.7" },
                "no other address got the name")
    }

    @Test("--resolve names a remote address the client never looked up, through the namespace's dnsmasq; without it, no query")
    func resolveAsksTheSystemResolver() throws {
        let namespace = try TestNamespace("resolve")
        defer { namespace.tearDown() }
        try namespace.exec(["ip", "addr", "add", "198.18.7.8/32", "dev", "lo"])
        // --host-record answers the reverse question (PTR) too.
        let dns = try DNSResponder(in: namespace, records: ["--host-record=svc.procscope.test,198.18.7.8"])
        defer { dns.stop() }
        let server = try Peer.start(in: namespace, ["tcp-server", "198.18.7.8", "5381", "20"])
        defer { server.stop() }
        func run(_ arguments: [String]) throws -> (names: [String?], dnsConversations: Int) {
            let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo"] + arguments)
            // By address: the client asks no one.
            let client = try Peer.start(in: namespace, ["tcp-client", "198.18.7.8", "5381", "2000", "600"])
            client.wait()
            let report = try capture.stop()
            let conversations = (report.root["processes"] as? [[String: Any]] ?? [])
                .flatMap { ($0["conversations"] as? [[String: Any]] ?? []) }
            let names = conversations.compactMap { $0["remote"] as? [String: Any] }
                .filter { $0["address"] as? String == "198.18.7.8" }.map { $0["name"] as? String }
            let dns = conversations.filter { (($0["remote"] as? [String: Any])?["port"] as? Int) == 53 }.count
            return (names, dns)
        }
        let resolved = try run(["--resolve"])
        #expect(!resolved.names.isEmpty && resolved.names.allSatisfy { $0 == "svc.procscope.test" }, "\(resolved)")
        #expect(resolved.dnsConversations > 0, "procscope asked, and its own question is in the capture")
        let silent = try run([])
        #expect(!silent.names.isEmpty && silent.names.allSatisfy { $0 == nil }, "\(silent)")
        #expect(silent.dnsConversations == 0, "without --resolve nothing is asked")
    }
}
}
