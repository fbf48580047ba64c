import Foundation
import Testing

/// `procscope top` for real, inside tmux: rows for the PIDs the test started, expansion, a resize, a
/// process whose name is an escape sequence that must not reach the terminal, and a clean exit on q.
extension IntegrationTests {
@Suite struct TopViewTests {
    final class Tmux {
        let session: String
        init(_ command: String, width: Int, height: Int) throws {
            session = "procscope-top-\(getpid())"
            try? Shell.run(["tmux", "kill-session", "-t", session])
            // Not through Shell.run: the tmux server this starts keeps every descriptor it inherits, so a pipe
            // read to its end would never end. Spawned with /dev/null for its streams and nothing else open.
            // Its signal mask is the test thread's, which blocks nearly everything, SIGWINCH too, and tmux hands
            // it on to procscope: the resizes below check that top hears of them all the same.
            try Self.spawnAndWait(["tmux", "new-session", "-d", "-s", session, "-x", String(width), "-y", String(height), command])
        }
        func screen() throws -> String { try Shell.run(["tmux", "capture-pane", "-p", "-t", session]) }
        func keys(_ keys: String...) throws { try Shell.run(["tmux", "send-keys", "-t", session] + keys) }
        func title() throws -> String { try Shell.run(["tmux", "display-message", "-p", "-t", session, "#{pane_title}"]) }
        func resize(width: Int, height: Int) throws {
            try Shell.run(["tmux", "resize-window", "-t", session, "-x", String(width), "-y", String(height)])
        }
        /// Polls the screen until `condition` holds (or 5 s pass) and returns it.
        func waitFor(_ condition: (String) -> Bool) throws -> String {
            for _ in 0..<50 {
                let text = try screen()
                if condition(text) { return text }
                usleep(100_000)
            }
            return try screen()
        }
        deinit { try? Shell.run(["tmux", "kill-session", "-t", session]) }

        static func spawnAndWait(_ arguments: [String]) throws {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
            // Every other descriptor this process has open (glibc's addclosefrom_np is not visible here).
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
            var cArguments = arguments.map { strdup($0) } + [nil]
            defer { cArguments.forEach { free($0) } }
            var pid: pid_t = 0
            guard posix_spawnp(&pid, arguments[0], &actions, nil, &cArguments, environ) == 0 else {
                throw Shell.Failure(command: arguments, status: -1, output: "posix_spawn failed")
            }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            guard status == 0 else { throw Shell.Failure(command: arguments, status: status, output: "") }
        }
    }

    @Test("Rows for the server and clients, Enter expands, a resize redraws narrower, q exits cleanly, escapes stay out, -w keeps the packets")
    func liveViewInTmux() throws {
        let namespace = try TestNamespace("top")
        defer { namespace.tearDown() }
        let written = NSTemporaryDirectory() + "procscope-top-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: written) }
        // A client whose program name is an escape sequence (comm comes from the file name it was run as).
        let evil = NSTemporaryDirectory() + "\u{1b}]0;pwned\u{07}x"
        try? FileManager.default.removeItem(atPath: evil)
        try FileManager.default.createSymbolicLink(atPath: evil, withDestinationPath: Shell.binaryDirectory + "/procscope-testpeer")
        defer { try? FileManager.default.removeItem(atPath: evil) }

        let tmux = try Tmux("ip netns exec \(namespace.name) \(Shell.binaryDirectory)/procscope top -i lo --interval 0.3 -w \(written); echo EXITED $?; sleep 30",
                            width: 110, height: 30)
        _ = try tmux.waitFor { $0.contains("procscope top") }
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5351", "20"])
        defer { server.stop() }
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5351", "100000", "50"])
        client.wait()
        let evilClient = try Shell.run(["ip", "netns", "exec", namespace.name, evil, "tcp-client", "127.0.0.1", "5351", "5000", "50"])
        #expect(evilClient.contains("ready"))

        var text = try tmux.waitFor { $0.contains("\(server.pid) ") && $0.contains("\(client.pid) ") && $0.contains("pwned") }
        #expect(text.contains("\(server.pid) ") && text.contains("\(client.pid) "), "\(text)")
        #expect(text.contains("?]0;pwned?x"), "the escape sequence is shown defused: \(text)")
        #expect(text.contains("CONVS  CONTAINER/UNIT"), "110 columns show the container/unit column: \(text)")
        #expect(!(try tmux.title()).contains("pwned"), "the name changed the terminal's title")

        // Enter on the first row (the busiest: the server) expands it into its conversations.
        try tmux.keys("Enter")
        text = try tmux.waitFor { $0.contains("tcp 127.0.0.1:5351 -> ") }
        #expect(text.contains("tcp 127.0.0.1:5351 -> "), "\(text)")

        try tmux.resize(width: 70, height: 20)
        text = try tmux.waitFor { $0.split(separator: "\n").allSatisfy { $0.count <= 70 } && $0.contains("procscope top") }
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 70 } && text.contains("PID"))
        #expect(!text.contains("CONTAINER/UNIT"), "70 columns keep the seven columns: \(text)")

        try tmux.keys("q")
        text = try tmux.waitFor { $0.contains("EXITED") }
        #expect(text.contains("EXITED 0"), "\(text)")

        // The file top wrote names the same processes.
        let reread = try CaptureJSON.read(written)
        #expect(reread.bytes(pid: server.pid, proto: "tcp", port: 5351) > 100_000, "the server's traffic is in the file")
        #expect(reread.processes.contains { $0.pid == client.pid })
    }

    @Test("At 80x24: v shows the open connection with the client's PID, then the remote host; g groups; ? lists the keys")
    func viewsAtEightyByTwentyFour() throws {
        let namespace = try TestNamespace("topviews")
        defer { namespace.tearDown() }
        let tmux = try Tmux("ip netns exec \(namespace.name) \(Shell.binaryDirectory)/procscope top -i lo --interval 0.3; echo EXITED $?; sleep 30",
                            width: 80, height: 24)
        _ = try tmux.waitFor { $0.contains("procscope top") }
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5355", "90"])
        defer { server.stop() }
        // Sends, then holds its connection open for 60 s (ended by the test): an open connection to see for the
        // whole test. A connection that has ended is folded away 10 s after its last frame, and a slow machine
        // takes longer than the 8 s this once held to walk the views.
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5355", "200000", "60000"])
        defer { client.stop() }
        func fits(_ text: String) -> Bool { text.split(separator: "\n").count <= 24 && text.split(separator: "\n").allSatisfy { $0.count <= 80 } }
        var text = try tmux.waitFor { $0.contains("\(client.pid) ") }
        #expect(text.contains("view: processes (v)") && fits(text), "\(text)")

        try tmux.keys("v")
        text = try tmux.waitFor { $0.contains("view: connections") && $0.contains("\(client.pid) ") }
        let row = text.split(separator: "\n").first { $0.hasPrefix("\(client.pid) ") } ?? ""
        #expect(row.contains("tcp   127.0.0.1:5355"), "the client's open connection, to the server: \(text)")
        #expect(text.contains("PROTO REMOTE") && fits(text), "\(text)")

        // Large: the connection's local end and, for remote hosts, the processes talking to each.
        try tmux.resize(width: 140, height: 40)
        text = try tmux.waitFor { $0.contains("PROTO LOCAL") && $0.contains("\(client.pid) ") }
        let wideRow = text.split(separator: "\n").first { $0.hasPrefix("\(client.pid) ") } ?? ""
        #expect(wideRow.contains("127.0.0.1:5355"), "\(text)")
        try tmux.keys("v")
        text = try tmux.waitFor { $0.contains("REMOTE HOST") && $0.contains("PROCESSES") && $0.contains("\(client.pid)/") }
        #expect(text.contains("\(client.pid)/procscope-testp"), "the client among the host's processes: \(text)")
        try tmux.keys("Enter")
        text = try tmux.waitFor { $0.contains("    \(client.pid)/procscope-testp  ") }
        #expect(text.contains("    \(server.pid)/procscope-testp  "), "the host opens into its processes: \(text)")
        try tmux.resize(width: 80, height: 24)
        text = try tmux.waitFor { $0.contains("REMOTE HOST") && !$0.contains("PROCESSES") }
        #expect(text.contains("view: remotes") && fits(text), "\(text)")

        try tmux.keys("g")
        text = try tmux.waitFor { $0.contains("view: by parent") }
        #expect(text.contains("PROCS") && text.contains("\(client.pid) ") && fits(text), "\(text)")
        try tmux.keys("g")
        text = try tmux.waitFor { $0.contains("view: by container") }
        #expect(text.contains("CONTAINER") && text.contains("(no container)") && fits(text), "\(text)")

        try tmux.keys("?")
        text = try tmux.waitFor { $0.contains("next view: processes, connections, remote hosts") }
        #expect(text.contains("NO_COLOR turns colour off") && fits(text), "\(text)")
        try tmux.keys("x")
        text = try tmux.waitFor { !$0.contains("next view:") }
        #expect(text.contains("(no container)"), "a key closes the help: \(text)")

        try tmux.keys("q")
        text = try tmux.waitFor { $0.contains("EXITED") }
        #expect(text.contains("EXITED 0"), "\(text)")
    }

    @Test("top -w on a full disk restores the terminal, names the file and exits 1")
    func topWriteFailureIsSaidAfterTheScreen() throws {
        let namespace = try TestNamespace("topfull")
        defer { namespace.tearDown() }
        let tmux = try Tmux("ip netns exec \(namespace.name) \(Shell.binaryDirectory)/procscope top -i lo --interval 0.3 -w /dev/full; echo EXITED $?; sleep 30",
                            width: 110, height: 30)
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5352", "20"])
        defer { server.stop() }
        var text = try tmux.waitFor { $0.contains("EXITED") || $0.contains("procscope top") }
        if !text.contains("EXITED") {
            // The file header may fit the kernel's answer only once packets come: send some.
            let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5352", "100000", "50"])
            client.wait()
            text = try tmux.waitFor { $0.contains("EXITED") }
        }
        #expect(text.contains("EXITED 1"), "\(text)")
        #expect(text.contains("cannot write /dev/full: No space left on device"), "\(text)")
        #expect(!text.contains("Fatal error") && !text.contains("procscope top"), "the screen is restored: \(text)")
    }

    @Test("Without a terminal, top refuses and points to capture")
    func topRefusesWithoutATerminal() throws {
        #expect {
            _ = try Shell.run([Shell.binaryDirectory + "/procscope", "top"])
        } throws: { error in "\(error)".contains("needs a terminal") && "\(error)".contains("procscope capture") }
    }
}
}
