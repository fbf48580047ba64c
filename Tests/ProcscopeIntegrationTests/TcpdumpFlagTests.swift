import Foundation
import Testing

/// tcpdump's flags where they mean the same: -D lists what tcpdump -D lists, numbered alike, and -i takes
/// that number; -n, -s 0 and -F FILE capture as tcpdump would.
extension IntegrationTests {
@Suite struct TcpdumpFlagTests {
    @Test("-D lists the interfaces exactly as tcpdump -D does, in a namespace the test made")
    func listsInterfacesAsTcpdump() throws {
        let namespace = try TestNamespace("list")
        defer { namespace.tearDown() }
        let ours = try Shell.run(["ip", "netns", "exec", namespace.name, Shell.binaryDirectory + "/procscope", "capture", "-D"])
        let theirs = try Shell.run(["ip", "netns", "exec", namespace.name, "tcpdump", "-D"])
        #expect(ours == theirs)
        #expect(ours.contains(".lo [Up, Running, Loopback]"))
    }

    @Test("-i NUMBER -n -s 0 -F FILE: the numbered interface, the whole frame, the file's filter")
    func numberedInterfaceAndFilterFile() throws {
        let namespace = try TestNamespace("flags")
        defer { namespace.tearDown() }
        let list = try Shell.run(["ip", "netns", "exec", namespace.name, "tcpdump", "-D"])
        let number = try #require(list.split(separator: "\n").first { $0.hasSuffix(".lo [Up, Running, Loopback]") }?
            .split(separator: ".").first)
        let filterFile = NSTemporaryDirectory() + "procscope-filter-\(getpid())"
        try "udp port 5331 # the server's port\n".write(toFile: filterFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: filterFile) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", String(number), "-nn", "-s", "0", "-F", filterFile])
        let server = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5331", "3"])
        let other = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5332", "3"])
        let client = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5331", "1000", "20"])
        let stray = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5332", "1000", "20"])
        client.wait()
        stray.wait()
        let report = try capture.stop()
        server.stop()
        other.stop()
        #expect((report.root["capture"] as? [String: Any])?["interfaces"] as? [String] == ["lo"])
        #expect((report.root["capture"] as? [String: Any])?["filter"] as? String == "udp port 5331")
        #expect(report.bytes(pid: client.pid, proto: "udp", port: client.port) > 1000)
        #expect(report.bytes(pid: stray.pid, proto: "udp", port: stray.port) == 0, "the file's filter kept 5332 out")
        #expect(capture.startupText.contains("snapshot length 262144"))
    }

    @Test("-G 1 -W 3: three strftime-named files a second apart, each read back with the sender credited, then a clean stop")
    func rotatesByTimeUntilThreeFiles() throws {
        let namespace = try TestNamespace("rotate")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-rotate-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A sender of one datagram every 2 ms for 6 s, whose PID the files must name.
        let (status, stderr, senderPID) = try Self.captureBesideSender(
            in: namespace, directory: directory, port: 5341, seconds: 6, size: 200, gap: 0.002,
            command: #""$P" capture -i lo --quiet -G 1 -W 3 -w "$D/t-%H%M%S.pcapng" udp port 5341 2>"$D/stderr""#)
        #expect(status == 0, "\(stderr)")
        #expect(stderr.contains("maximum file limit reached: 3"), "\(stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("t-") }.sorted()
        #expect(files.count == 3, "\(files)")
        #expect(files.allSatisfy { $0.range(of: #"^t-\d{6}\.pcapng$"#, options: .regularExpression) != nil }, "\(files)")
        let pid = try #require(Int32(senderPID))
        for file in files {
            let reread = try CaptureJSON.read(directory + "/" + file)
            #expect(reread.processes.contains { $0.pid == pid }, "\(file) names the sender")
        }
    }

    @Test("--nano: audit prints nine digits, and the -w file carries the same nanoseconds to tcpdump --nano and back")
    func nanosecondStampsRoundTrip() throws {
        let namespace = try TestNamespace("nano")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-nano-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, stderr, pid) = try Self.captureBesideSender(
            in: namespace, directory: directory, port: 5342, seconds: 4, size: 100, gap: 0.01,
            command: #""$P" audit -i lo --nano -c 20 -w "$D/n.pcapng" udp port 5342 > "$D/audit" 2>"$D/stderr""#)
        #expect(status == 0, "\(stderr)")
        let lines = try String(contentsOfFile: directory + "/audit", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 20)
        #expect(lines.allSatisfy { $0.range(of: #"^\d\d:\d\d:\d\d\.\d{9} lo "#, options: .regularExpression) != nil
            && $0.hasSuffix(" \(pid)/python3 > <Unknown: no-socket>") }, "\(lines)")
        // The fraction of each second, as audit printed it and as tcpdump reads it from the file (epoch -tt,
        // so that no time zone comes between them).
        let printed = lines.map { String($0.split(separator: " ")[0].split(separator: ".")[1]) }
        let tcpdump = try Shell.run(["tcpdump", "--nano", "-tt", "-n", "-r", directory + "/n.pcapng"])
            .split(separator: "\n").filter { $0.first?.isNumber == true }
            .map { String($0.split(separator: " ")[0].split(separator: ".").last ?? "") }
        #expect(tcpdump == printed)
        #expect(printed.contains { !$0.hasSuffix("000") }, "nanoseconds, not microseconds padded: \(printed)")
        // Read back: the same packets, the sender credited.
        let reread = try CaptureJSON.read(directory + "/n.pcapng")
        #expect(reread.packets == 20 && reread.processes.contains { String($0.pid) == pid })
    }

    @Test("--nano with a file is refused: procscope reads files to the microsecond")
    func nanoNeedsALiveInterface() throws {
        let (status, stderr) = try Shell.outcome([Shell.binaryDirectory + "/procscope", "capture", "-r", "/dev/null", "--nano"])
        #expect(status == 64 && stderr.contains("--nano and --time-stamp-precision stamp live frames"), "\(status) \(stderr)")
    }

    @Test("-Z nobody: after the drop procscope runs as nobody with only its threads' capabilities, and still attributes root's flows")
    func relinquishesPrivilegesAndStillAttributes() throws {
        let namespace = try TestNamespace("dropz")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-Z", "nobody", "tcp", "port", "5343"])
        let pid = capture.process.processIdentifier
        // The switch comes once the first pass over /proc is done (at most 5 s).
        func status(_ path: String) -> [String: String] {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            return Dictionary(text.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: ":", maxSplits: 1)
                return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces)) : nil
            }, uniquingKeysWith: { first, _ in first })
        }
        var waited = 0
        while status("/proc/\(pid)/status")["Uid"]?.hasPrefix("65534") != true && waited < 100 {
            usleep(100_000)
            waited += 1
        }
        #expect(status("/proc/\(pid)/status")["Uid"] == "65534\t65534\t65534\t65534", "real, effective, saved and fs uid")
        #expect(status("/proc/\(pid)/status")["Gid"] == "65534\t65534\t65534\t65534")
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        let effective = threads.compactMap { status("/proc/\(pid)/task/\($0)/status")["CapEff"].flatMap { UInt64($0, radix: 16) } }
        #expect(status("/proc/\(pid)/task/\(pid)/status")["CapEff"] == "0000000000002000", "the capture thread: cap_net_raw")
        #expect(effective.contains(0x80004), "the attribution thread: cap_sys_ptrace and cap_dac_read_search")
        #expect(effective.allSatisfy { $0 & ~UInt64(0x82004) == 0 }, "no thread keeps more: \(effective.map { String($0, radix: 16) })")

        // Root's server and client, started after the drop, are credited with their PIDs.
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5343", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5343", "20000", "20"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        #expect(report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 20_000)
        #expect(report.processes.contains { $0.pid == server.pid })
        #expect(report.unknown.isEmpty, "\(report.unknown.map { ($0.reason ?? "", $0.detail ?? "") })")
        let warnings = (report.root["capture"] as? [String: Any])?["warnings"] as? [[String: Any]] ?? []
        #expect(warnings.contains { $0["kind"] as? String == "privileges-dropped" })
    }

    @Test("-Z refuses what it cannot honour before capturing: an unknown user, a file, a --json nobody may create")
    func relinquishRefusals() throws {
        let binary = Shell.binaryDirectory + "/procscope"
        let (unknown, unknownText) = try Shell.outcome([binary, "capture", "-i", "lo", "-Z", "no-such-user-here", "--duration", "1"])
        #expect(unknown == 1 && unknownText.contains("there is no user 'no-such-user-here'"), "\(unknownText)")
        let (file, fileText) = try Shell.outcome([binary, "capture", "-r", "/dev/null", "-Z", "nobody"])
        #expect(file == 64 && fileText.contains("reading a file (-r) needs none"), "\(fileText)")
        let directory = NSTemporaryDirectory() + "procscope-rootonly-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (json, jsonText) = try Shell.outcome([binary, "capture", "-i", "lo", "-Z", "nobody", "--json", directory + "/out.json",
                                                  "--duration", "1"])
        #expect(json == 1 && jsonText.contains("who cannot create files there") && !jsonText.contains("listening on"),
                "\(jsonText)")
    }

    @Test("-i twice: both interfaces' flows are captured and credited, a third interface's are not")
    func severalInterfaces() throws {
        let here = try TestNamespace("multi")
        let first = try TestNamespace("multia"), second = try TestNamespace("multib")
        defer { here.tearDown(); first.tearDown(); second.tearDown() }
        let (chosen, _) = try here.link(to: first, address: "198.18.1.1/24", peerAddress: "198.18.1.2/24")
        try here.link(to: second, address: "198.18.2.1/24", peerAddress: "198.18.2.2/24")
        let capture = try ProcscopeRun(in: here, arguments: ["-i", chosen, "-i", "lo", "tcp"])
        #expect(capture.startupText.contains("listening on \(chosen) and lo (through any)"), "\(capture.startupText)")
        let servers = [try Peer.start(in: first, ["tcp-server", "198.18.1.2", "5344", "3"]),
                       try Peer.start(in: here, ["tcp-server", "127.0.0.1", "5344", "3"]),
                       try Peer.start(in: second, ["tcp-server", "198.18.2.2", "5344", "3"])]
        let clients = [try Peer.start(in: here, ["tcp-client", "198.18.1.2", "5344", "30000", "20"]),
                       try Peer.start(in: here, ["tcp-client", "127.0.0.1", "5344", "30000", "20"]),
                       try Peer.start(in: here, ["tcp-client", "198.18.2.2", "5344", "30000", "20"])]
        for client in clients { client.wait() }
        let report = try capture.stop()
        for server in servers { server.stop() }
        #expect(report.bytes(pid: clients[0].pid, proto: "tcp", port: clients[0].port) > 30_000, "the first -i")
        #expect(report.bytes(pid: clients[1].pid, proto: "tcp", port: clients[1].port) > 30_000, "the second -i")
        #expect(!report.processes.contains { $0.pid == clients[2].pid }, "an interface not asked for")
        #expect(report.processes.flatMap(\.conversations).allSatisfy { $0.localAddress != "198.18.2.1" })
        let info = report.root["capture"] as? [String: Any] ?? [:]
        #expect(info["interfaces"] as? [String] == [chosen, "lo"])
        #expect(info["filter"] as? String == "tcp", "the user's filter, not the one narrowed to the interfaces")
    }

    @Test("-Q out keeps only what the namespace sends on its veth, -Q in only what it receives; the owner is credited either way",
          arguments: ["out", "in"])
    func directionKeepsOneWay(direction: String) throws {
        let here = try TestNamespace("dir")
        let there = try TestNamespace("dirpeer")
        defer { here.tearDown(); there.tearDown() }
        try here.connect(to: there)
        let veth = try #require(here.vethName)
        let capture = try ProcscopeRun(in: here, arguments: ["-i", veth, "-Q", direction, "tcp port 5361"])
        let server = try Peer.start(in: there, ["tcp-server", "198.18.0.2", "5361", "5"])
        let client = try Peer.start(in: here, ["tcp-client", "198.18.0.2", "5361", "200000", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let conversations = report.processes.filter { $0.pid == client.pid }.flatMap(\.conversations)
        let tx = conversations.reduce(0) { $0 + $1.txBytes }, rx = conversations.reduce(0) { $0 + $1.rxBytes }
        if direction == "out" {
            #expect(tx > 200_000 && rx == 0, "tx \(tx) rx \(rx)")
        } else {
            #expect(tx == 0 && rx > 0, "tx \(tx) rx \(rx): the server's acknowledgements, credited to the client")
        }
    }

    @Test("-Q with a file is refused: a file keeps no direction")
    func directionNeedsALiveInterface() throws {
        let (status, stderr) = try Shell.outcome([Shell.binaryDirectory + "/procscope", "capture", "-r", "/dev/null", "-Q", "in"])
        #expect(status == 64 && stderr.contains("-Q chooses which way frames cross a live interface"), "\(status) \(stderr)")
    }

    /// Runs `command` (a shell line: `$P` is procscope, `$D` the directory, its stderr to "$D/stderr") in the
    /// namespace beside a Python sender of `size`-byte datagrams to 127.0.0.1:`port` every `gap` seconds for
    /// `seconds`, started first, so the capture has datagrams from its first moment however slowly Python
    /// starts. The command's status, its stderr, and the sender's PID.
    static func captureBesideSender(in namespace: TestNamespace, directory: String, port: Int, seconds: Int, size: Int,
                                    gap: Double, command: String) throws -> (status: Int32, stderr: String, pid: String) {
        let sender = "import os, socket, time\nprint(os.getpid(), flush=True)\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "end = time.time() + \(seconds)\nwhile time.time() < end:\n"
            + "    s.sendto(b'x' * \(size), ('127.0.0.1', \(port))); time.sleep(\(gap))\n"
        try sender.write(toFile: directory + "/sender.py", atomically: true, encoding: .utf8)
        let script = """
            python3 "$D/sender.py" > "$D/pid" & sender=$!
            until [ -s "$D/pid" ]; do sleep 0.05; done
            \(command)
            status=$?
            wait $sender
            exit $status
            """
        let (status, _) = try Shell.outcome(["ip", "netns", "exec", namespace.name, "/bin/bash", "-c", script],
                                            environment: ["P": Shell.binaryDirectory + "/procscope", "D": directory,
                                                          "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        let stderr = (try? String(contentsOfFile: directory + "/stderr", encoding: .utf8)) ?? ""
        let pid = ((try? String(contentsOfFile: directory + "/pid", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return (status, stderr, pid)
    }
}
}
