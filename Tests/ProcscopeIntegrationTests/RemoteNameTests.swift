import Foundation
import Testing

/// Remote names without asking anyone: a client resolves a name through a real DNS server (dnsmasq, in the
/// test's namespace, named in that namespace's resolv.conf) and connects; procscope, which sent no query,
/// names the conversation's remote end from the answer it captured.
extension IntegrationTests {
@Suite struct RemoteNameCaptureTests {
    @Test("A client that resolved app.procscope.test through dnsmasq and connected: its conversation's remote end is named")
    func capturedAnswerNamesTheConversation() throws {
        let namespace = try TestNamespace("dns")
        defer { namespace.tearDown() }
        // `ip netns exec` bind-mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf.
        let etc = "/etc/netns/\(namespace.name)"
        let madeNetns = !FileManager.default.fileExists(atPath: "/etc/netns")
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: etc)
            if madeNetns { rmdir("/etc/netns") }
        }
        try "nameserver 127.0.0.1\noptions attempts:1 timeout:2\n".write(toFile: etc + "/resolv.conf", atomically: true, encoding: .utf8)
        try namespace.exec(["ip", "addr", "add", "198.18.7.7/32", "dev", "lo"])
        // dnsmasq as a daemon (its launcher exits once it listens); ended by the PID it writes.
        let pidFile = NSTemporaryDirectory() + "procscope-dnsmasq-\(getpid()).pid"
        try Shell.run(["sh", "-c", (namespace.commandPrefix + [
            "dnsmasq", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--listen-address=127.0.0.1",
            "--bind-interfaces", "--port=53", "--pid-file=\(pidFile)", "--address=/app.procscope.test/198.18.7.7",
        ]).joined(separator: " ") + " >/dev/null 2>&1"])
        defer {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
               let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
                kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: pidFile)
        }
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
        let toServer = remotes.filter { $0["address"] as? String == "198.18.7.7" && $0["port"] as? Int == 5380 }
        #expect(!toServer.isEmpty, "the client's conversation was attributed")
        #expect(toServer.allSatisfy { $0["name"] as? String == "app.procscope.test" }, "\(toServer)")
        #expect(!remotes.contains { ($0["name"] as? String) != nil && $0["address"] as? String != "198.18.7.7" },
                "no other address got the name")
    }
}
}
