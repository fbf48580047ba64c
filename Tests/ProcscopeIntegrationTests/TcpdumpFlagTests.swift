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
}
}
