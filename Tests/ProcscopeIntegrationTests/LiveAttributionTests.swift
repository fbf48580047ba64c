import Foundation
import Testing

/// Real captures in namespaces the tests create, with clients and servers whose PIDs the tests know.
/// Every test checks the hard rule: 0 bytes credited to a wrong process.
extension IntegrationTests {
@Suite struct LiveAttributionTests {
    @Test("TCP and UDP over loopback, IPv4 and IPv6: every byte of each client and server goes to its PID",
          arguments: [("tcp", "127.0.0.1"), ("tcp", "::1"), ("udp", "127.0.0.1"), ("udp", "::1")])
    func loopbackClientsAndServerAreAttributedToTheirPIDs(proto: String, address: String) throws {
        let namespace = try TestNamespace("lo")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", proto, "port", "5301"])
        let server = try Peer.start(in: namespace, ["\(proto)-server", address, "5301", "3"])
        var clients: [Peer] = []
        for _ in 0..<5 {
            let client = try Peer.start(in: namespace, ["\(proto)-client", address, "5301", "3000", "20"])
            client.wait()
            clients.append(client)
        }
        let report = try capture.stop()
        server.stop()

        let owners = [(server.pid, proto, server.port)] + clients.map { ($0.pid, proto, $0.port) }
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        for client in clients {
            #expect(report.bytes(pid: client.pid, proto: proto, port: client.port) > 3000,
                    "client \(client.pid) port \(client.port) not credited")
        }
        #expect(report.bytes(pid: server.pid, proto: proto, port: server.port) > 5 * 3000)
        let exe = report.processes.first { $0.pid == server.pid }?.exe ?? ""
        #expect(exe.hasSuffix("/procscope-testpeer"))
        #expect(report.unknown.filter { $0.localPort == 5301 || clients.map { Int($0.port) }.contains($0.localPort ?? -1) }
            .allSatisfy { $0.reason != "lookup-failed" })
    }

    @Test("Without cap_bpf and cap_sys_admin: the eBPF recorders are missed once, in words, and the capture still credits its PIDs")
    func captureWithoutBPFPrivilegesFallsBackToScanning() throws {
        let namespace = try TestNamespace("nobpf")
        defer { namespace.tearDown() }
        let dropped = "-bpf,-sys_admin,-perfmon"
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5309"],
                                       launcher: ["setpriv", "--inh-caps=\(dropped)", "--bounding-set=\(dropped)"])
        let warnings = capture.startupText.split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.filter { $0.contains("no socket-release recorder") }.count == 1, "\(capture.startupText)")
        #expect(warnings.contains { $0.contains("cap_bpf") }, "the warning names the capability: \(capture.startupText)")
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5309", "1"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5309", "20000", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        #expect(capture.process.terminationStatus == 0)
        let owners = [(server.pid, "tcp", server.port), (client.pid, "tcp", client.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 20000)
        #expect(report.bytes(pid: server.pid, proto: "tcp", port: server.port) > 20000)
    }

    @Test("As an unprivileged user with exactly the README's capabilities, on the host: every PID credited, no warning")
    func readmeCapabilitiesAreEnough() throws {
        // In the host's namespace, as deployed (from another one, process events take cap_sys_admin too: the
        // README says so), on loopback and a port of this test's own.
        let namespace = TestNamespace.host
        let readme = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md").path, encoding: .utf8)
        // The setcap line's set, as setpriv names capabilities: cap_net_raw,... -> +net_raw,...
        let line = try #require(readme.split(separator: "\n").first { $0.contains("setcap cap_") })
        let set = try #require(line.split(separator: " ").first { $0.hasPrefix("cap_") }).split(separator: "+").first ?? ""
        let kept = set.split(separator: ",").map { "+" + $0.dropFirst(4) }.joined(separator: ",")
        #expect(kept.contains("+net_raw") && kept.contains("+bpf"), "read the set from the README: \(kept)")
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5311"],
                                       launcher: ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                                                  "--inh-caps", kept, "--ambient-caps", kept])
        #expect(!capture.startupText.contains("warning"), "no warning with the README's set: \(capture.startupText)")
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5311", "2"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5311", "20000", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let owners = [(server.pid, "tcp", server.port), (client.pid, "tcp", client.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 20000)
        #expect(report.bytes(pid: server.pid, proto: "tcp", port: server.port) > 20000)
        #expect(report.warningKinds.isEmpty, "capture.warnings: \(report.warningKinds)")
    }

    @Test("With one of the README's capabilities removed, the start names it and what it costs",
          arguments: [("net_raw", "cap_net_raw"), ("net_admin", "cap_net_admin"), ("sys_ptrace", "cap_sys_ptrace"),
                      ("dac_read_search", "cap_dac_read_search"), ("bpf", "cap_bpf"), ("perfmon", "cap_perfmon")])
    func eachMissingCapabilityIsNamed(dropped: String, named: String) throws {
        let kept = ["net_raw", "net_admin", "sys_ptrace", "dac_read_search", "bpf", "perfmon"].filter { $0 != dropped }
            .map { "+" + $0 }.joined(separator: ",")
        let (status, text) = try Shell.outcome(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                                                "--inh-caps", kept, "--ambient-caps", kept,
                                                Shell.binaryDirectory + "/procscope", "capture", "-i", "lo",
                                                "--duration", "0.5", "--quiet", "tcp", "port", "5312"])
        let said = text.split(separator: "\n").filter {
            $0.contains("warning") || $0.hasPrefix("Error") || $0.hasPrefix("procscope needs")
        }
        #expect(said.contains { $0.contains(named) }, "without \(dropped): \(text)")
        // Capturing itself needs cap_net_raw: without it the run fails, saying so; without any other it goes on.
        #expect(status == (dropped == "net_raw" ? 1 : 0), "\(text)")
    }

    @Test("Without cap_sys_ptrace and cap_dac_read_search, root's sockets are permission-denied, never owner-exited")
    func unreadableOwnersArePermissionDenied() throws {
        let namespace = try TestNamespace("noptrace")
        defer { namespace.tearDown() }
        // An unprivileged user with every capability but the two that open other users' /proc/PID/fd.
        let kept = "+net_raw,+net_admin,+bpf,+perfmon"
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5310"],
                                       launcher: ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups",
                                                  "--inh-caps", kept, "--ambient-caps", kept])
        #expect(capture.startupText.contains("cannot read other users' /proc/PID/fd"), "said once at the start: \(capture.startupText)")
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5310", "2"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5310", "20000", "300"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let owners = [(server.pid, "tcp", server.port), (client.pid, "tcp", client.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        let reasons = report.unknown.filter { $0.localPort == 5310 || $0.localPort == Int(client.port) }.compactMap(\.reason)
        #expect(!reasons.contains("owner-exited"), "\(reasons)")
        #expect(report.warningKinds.contains("unreadable-descriptors"), "the JSON says it too: \(report.warningKinds)")
        #expect(reasons.contains("permission-denied") || report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 0,
                "each side is either credited from the kernel's records or permission-denied: \(reasons)")
    }

    @Test("Across a veth pair: both namespaces' servers and clients are attributed, each in its own namespace",
          arguments: ["198.18.0", "fdbe:ac:"])
    func vethTrafficIsAttributedToLocalProcessesOnly(prefix: String) throws {
        let here = try TestNamespace("va"), there = try TestNamespace("vb")
        defer { here.tearDown(); there.tearDown() }
        try here.connect(to: there)
        let (local, remote) = prefix.contains(":") ? ("fdbe:ac::1", "fdbe:ac::2") : ("198.18.0.1", "198.18.0.2")
        let capture = try ProcscopeRun(in: here, arguments: ["-i", here.vethName!, "tcp"])
        let localServer = try Peer.start(in: here, ["tcp-server", local, "5302", "3"])
        let remoteServer = try Peer.start(in: there, ["tcp-server", remote, "5303", "3"])
        let remoteClient = try Peer.start(in: there, ["tcp-client", local, "5302", "20000", "20"])
        let localClient = try Peer.start(in: here, ["tcp-client", remote, "5303", "20000", "20"])
        remoteClient.wait()
        localClient.wait()
        let report = try capture.stop()
        localServer.stop()
        remoteServer.stop()

        let owners = [(localServer.pid, "tcp", localServer.port), (localClient.pid, "tcp", localClient.port),
                      (remoteServer.pid, "tcp", remoteServer.port), (remoteClient.pid, "tcp", remoteClient.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        for (pid, port) in owners.map({ ($0.0, $0.2) }) {
            #expect(report.bytes(pid: pid, proto: "tcp", port: port) > 20000, "pid \(pid) port \(port) not credited")
        }
        // The far end's processes are shown in their own namespace (a container's, seen through its veth).
        let namespaceOf = { (pid: Int32) in report.processes.first { $0.pid == pid }?.netns }
        #expect(namespaceOf(remoteServer.pid) != nil && namespaceOf(remoteServer.pid) == namespaceOf(remoteClient.pid))
        #expect(namespaceOf(remoteServer.pid) != namespaceOf(localServer.pid))
    }

    @Test("A connection established before the capture starts is attributed")
    func connectionOpenedBeforeCaptureIsAttributed() throws {
        let namespace = try TestNamespace("pre")
        defer { namespace.tearDown() }
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5304", "4"])
        // Connects now, sends 1.5 s later: by then procscope is listening.
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5304", "4000", "20", "1500"])
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5304"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let owners = [(server.pid, "tcp", server.port), (client.pid, "tcp", client.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 4000)
        #expect(report.bytes(pid: server.pid, proto: "tcp", port: 5304) > 4000)
    }

    @Test("An address added during the capture is local from its first frame: its client and server are credited")
    func addressAddedDuringCaptureIsLocal() throws {
        let namespace = try TestNamespace("newaddr")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "udp", "port", "5340"])
        try namespace.exec(["ip", "addr", "add", "198.18.5.1/32", "dev", "lo"])
        let server = try Peer.start(in: namespace, ["udp-server", "198.18.5.1", "5340", "2"])
        let client = try Peer.start(in: namespace, ["udp-client", "198.18.5.1", "5340", "300", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        #expect(report.wronglyCreditedBytes(owners: [(server.pid, "udp", server.port), (client.pid, "udp", client.port)]) == 0)
        #expect(report.bytes(pid: client.pid, proto: "udp", port: client.port) == 328, "the client's datagram")
        #expect(report.bytes(pid: server.pid, proto: "udp", port: 5340) == 328, "the server's datagram")
        #expect(report.unknown.allSatisfy { $0.reason != "not-local" }, "\(report.unknown.map { $0.reason ?? "?" })")
    }

    @Test("A UDP port reused by a second process right after the first exits: each datagram to its own sender")
    func reusedUDPPortIsNeverCreditedToTheOtherProcess() throws {
        let namespace = try TestNamespace("reuse")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "udp"])
        let server = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5305", "4"])
        var senders: [Peer] = []
        for _ in 0..<6 {
            // Same source port 5306 each time; each sender lingers 20 ms so it can be found, then exits.
            let sender = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5305", "700", "20", "5306"])
            sender.wait()
            senders.append(sender)
        }
        let report = try capture.stop()
        server.stop()
        for sender in senders {
            let credited = report.processes.filter { $0.pid == sender.pid }.flatMap(\.conversations)
            let packets = credited.reduce(0) { $0 + $1.txPackets }
            #expect(packets == 1, "sender \(sender.pid) credited with \(packets) datagrams, sent 1")
        }
        let attributed = senders.filter { s in report.processes.contains { $0.pid == s.pid } }.count
        #expect(attributed == senders.count, "only \(attributed) of \(senders.count) senders attributed")
        #expect(report.bytes(pid: server.pid, proto: "udp", port: 5305) == 6 * (700 + 28))
    }

    @Test("A socket created as root by a process that then drops to another uid is credited to that process")
    func socketOfAProcessThatDroppedPrivilegesIsAttributed() throws {
        let namespace = try TestNamespace("setuid")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5331"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5331", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client-setuid", "127.0.0.1", "5331", "4000", "50", "65534"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let owners = [(server.pid, "tcp", server.port), (client.pid, "tcp", client.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 4000)
        #expect(report.uid(of: client.pid) == 65534, "the process's uid, not the socket's (0)")
    }

    @Test("--pid keeps only that process's traffic: the client and the unknowns are left out")
    func ownerFilterKeepsOnlyThatProcess() throws {
        let namespace = try TestNamespace("filter")
        defer { namespace.tearDown() }
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5332", "3"])
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "--pid", String(server.pid), "tcp", "or", "udp"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5332", "3000", "20"])
        client.wait()
        let closedPort = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5333", "10", "0"])
        closedPort.wait()
        let report = try capture.stop()
        server.stop()
        #expect(report.processes.map(\.pid) == [server.pid])
        #expect(report.bytes(pid: server.pid, proto: "tcp", port: 5332) > 3000)
        #expect(report.unknown.isEmpty)
    }

    @Test("--ndjson streams a parseable line per conversation while capturing, then a final or closed one for each")
    func ndjsonStreamsConversations() throws {
        let namespace = try TestNamespace("ndjson")
        defer { namespace.tearDown() }
        let path = NSTemporaryDirectory() + "procscope-ndjson-\(getpid()).ndjson"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "--ndjson", path, "--interval", "0.2", "udp", "port", "5334"])
        let server = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5334", "3"])
        var clients: [Peer] = []
        for _ in 0..<3 {
            let client = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5334", "300", "10"])
            client.wait()
            clients.append(client)
            usleep(300_000)
        }
        _ = try capture.stop()
        server.stop()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        let events = lines.compactMap { $0["event"] as? String }
        #expect(events.contains("update"), "lines came while capturing: \(events)")
        for client in clients {
            let mine = lines.filter { (($0["owner"] as? [String: Any])?["pid"] as? Int) == Int(client.pid) }
            #expect(!mine.isEmpty, "client \(client.pid) has lines")
            #expect(mine.allSatisfy { ((($0["conversation"] as? [String: Any])?["local"] as? [String: Any])?["port"] as? Int) == Int(client.port) })
        }
        #expect(lines.filter { $0["event"] as? String == "final" || $0["event"] as? String == "closed" }.count >= clients.count + 1)
    }

    @Test("Writing --json and --ndjson to /dev/null leaves /dev/null a character device")
    func outputsToDevicesKeepTheDevice() throws {
        _ = try Shell.run([Shell.binaryDirectory + "/procscope", "capture", "-r", Fixture.capture, "--quiet",
                           "--json", "/dev/null", "--ndjson", "/dev/null"])
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
    }
}
}
