import Foundation
import Testing

/// Names people recognise, live: a server the test moves into a cgroup named as docker's systemd driver names
/// a container's (`docker-<id>.scope`) is credited with its container's runtime and id, and `--container`
/// keeps it by the start of that id. (The names runtimes keep in their state are checked on fixtures:
/// `ContainerNameTests`.)
extension IntegrationTests {
@Suite struct ContainerAttributionTests {
    /// The cgroup v2 mount, from /proc/mounts (/sys/fs/cgroup on a Debian 12 server; hybrid hosts mount it
    /// elsewhere, such as /sys/fs/cgroup/unified).
    static func cgroup2Mount() throws -> String {
        let mounts = try String(contentsOfFile: "/proc/mounts", encoding: .utf8)
        let line = try #require(mounts.split(separator: "\n").first { $0.split(separator: " ").dropFirst(2).first == "cgroup2" })
        return String(line.split(separator: " ")[1])
    }

    @Test("A process in a docker-<id>.scope cgroup is credited with container {runtime docker, id}; --container keeps it by id")
    func dockerScopeNamesTheContainer() throws {
        let namespace = try TestNamespace("docker")
        defer { namespace.tearDown() }
        let id = String(repeating: "d0c4e1", count: 11).prefix(62) + String(format: "%02x", getpid() % 256)
        let directory = try Self.cgroup2Mount() + "/docker-\(id).scope"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer {
            // Empty once the test's processes are gone; rmdir retried while the kernel lets them go.
            for _ in 0..<50 where rmdir(directory) != 0 { usleep(100_000) }
        }
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5360", "10"])
        defer { server.stop() }
        try "\(server.pid)\n".write(toFile: directory + "/cgroup.procs", atomically: false, encoding: .utf8)
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "--container", String(id.prefix(12)),
                                                                  "tcp", "port", "5360"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5360", "5000", "20"])
        client.wait()
        let report = try capture.stop()
        let processes = report.root["processes"] as? [[String: Any]] ?? []
        #expect(processes.map { $0["pid"] as? Int } == [Int(server.pid)], "only the container's process is kept")
        let container = processes.first?["container"] as? [String: Any]
        #expect(container?["runtime"] as? String == "docker")
        #expect(container?["id"] as? String == String(id))
        #expect(processes.first?["cgroup"] as? String == "/docker-\(id).scope")
        #expect(processes.first?["unit"] is NSNull, "a container's scope is not a unit")
        #expect(processes.first?["ppid"] as? Int ?? 0 > 0)
        #expect(report.processes.first?.conversations.reduce(0) { $0 + $1.rxBytes } ?? 0 >= 5000)
    }

    @Test("A forked client is credited with its parent: ppid is the forking process's PID, parent its name")
    func forkedClientNamesItsParent() throws {
        let namespace = try TestNamespace("fork")
        defer { namespace.tearDown() }
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5366", "10"])
        defer { server.stop() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5366"])
        let output = try Shell.run(namespace.commandPrefix + ["python3", "-c", """
            import os, socket, time
            parent = os.getpid()
            child = os.fork()
            if child == 0:
                connection = socket.create_connection(("127.0.0.1", 5366))
                connection.sendall(b"x" * 4000)
                time.sleep(0.2)
                connection.close()
                os._exit(0)
            os.waitpid(child, 0)
            print(parent, child)
            """])
        let report = try capture.stop()
        let pids = output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        try #require(pids.count == 2, "\(output)")
        let processes = report.root["processes"] as? [[String: Any]] ?? []
        let child = try #require(processes.first { $0["pid"] as? Int == pids[1] }, "the child is credited")
        #expect(child["ppid"] as? Int == pids[0])
        #expect(child["parent"] as? String == "python3")
    }
}
}
