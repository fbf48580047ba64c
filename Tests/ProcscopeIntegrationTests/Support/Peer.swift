import Foundation

/// One procscope-testpeer process started in a namespace: its PID and local port, from its `ready` line.
///
/// Spawned with posix_spawn and reaped with waitpid, not Foundation's `Process`: its `waitUntilExit` polls a
/// run loop and costs a few hundred milliseconds per peer, which the tests that start 200 clients cannot pay.
/// `env ip netns exec` execs the peer in place, so the spawned PID is the peer's.
struct Peer {
    let pid: Int32
    let port: UInt16
    /// The read end of the peer's standard output, closed once the peer is reaped.
    private let output: Int32

    /// Starts a peer and waits for its `ready pid=P port=L` line.
    static func start(in namespace: TestNamespace, _ arguments: [String]) throws -> Peer {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw Shell.Failure(command: arguments, status: errno, output: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        let argv = ["env"] + namespace.commandPrefix + [Shell.binaryDirectory + "/procscope-testpeer"] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        // The test runner's threads block or handle signals; the peer must start with none blocked and the
        // default actions, or `stop()`'s SIGTERM would wait in its queue until the peer's own time is up.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let spawned = posix_spawn(&child, "/usr/bin/env", &actions, &attributes, &cArguments, environ)
        close(pipeEnds[1])
        guard spawned == 0 else {
            close(pipeEnds[0])
            throw Shell.Failure(command: arguments, status: spawned, output: "posix_spawn failed")
        }
        var line = [UInt8]()
        var byte: UInt8 = 0
        while read(pipeEnds[0], &byte, 1) == 1 && byte != UInt8(ascii: "\n") { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        let fields = Dictionary(uniqueKeysWithValues: text.split(separator: " ").dropFirst().compactMap { field -> (String, String)? in
            let parts = field.split(separator: "=")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        })
        guard let pid = fields["pid"].flatMap({ Int32($0) }), let port = fields["port"].flatMap({ UInt16($0) }),
              pid == child else {
            var status: Int32 = 0
            waitpid(child, &status, 0)
            close(pipeEnds[0])
            throw Shell.Failure(command: arguments, status: status, output: "no ready line: \(text)")
        }
        return Peer(pid: pid, port: port, output: pipeEnds[0])
    }

    /// The next line the peer printed after its ready line (e.g. `heir pid=C`), without the newline.
    func nextLine() -> String {
        var line = [UInt8]()
        var byte: UInt8 = 0
        while read(output, &byte, 1) == 1 && byte != UInt8(ascii: "\n") { line.append(byte) }
        return String(decoding: line, as: UTF8.self)
    }

    /// Waits for the peer to exit by itself.
    func wait() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(output)
    }

    /// Ends a peer the test started (by its PID) and reaps it.
    func stop() {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == 0 {
            kill(pid, SIGTERM)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        close(output)
    }
}
