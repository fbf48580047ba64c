import Foundation
import Testing

/// Frames written through AF_PACKET sockets, which no inet socket sent: credited to the injector when it is
/// the only process that could have (a capture tool's ring is not a candidate), and never guessed between two.
extension IntegrationTests {
@Suite struct PacketInjectionTests {
    @Test("An AF_PACKET injector's frames go to its PID (method packet-socket), with tcpdump capturing beside it")
    func injectorIsCredited() throws {
        let namespace = try TestNamespace("inject")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "udp"])
        // Another capture tool's packet socket (libpcap maps a receive ring) is there too, and is not the sender.
        let tcpdump = Process()
        tcpdump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let dump = NSTemporaryDirectory() + "procscope-inject-\(getpid()).pcap"
        defer { try? FileManager.default.removeItem(atPath: dump) }
        tcpdump.arguments = ["ip", "netns", "exec", namespace.name, "tcpdump", "-Z", "root", "-i", "lo", "-w", dump]
        tcpdump.standardError = FileHandle.nullDevice
        try tcpdump.run()
        // SIGKILL: a Foundation child inherits the test runner's blocked signals, so SIGINT would not end it.
        defer { if tcpdump.isRunning { kill(tcpdump.processIdentifier, SIGKILL); tcpdump.waitUntilExit() } }
        usleep(500_000)
        let injector = try Peer.start(in: namespace, ["inject", "lo", "127.0.0.1", "127.0.0.1", "5371", "5372", "3", "300"])
        injector.wait()
        let report = try capture.stop()
        let sent = report.processes.filter { $0.pid == injector.pid }.flatMap(\.conversations)
        #expect(sent.reduce(0) { $0 + $1.txBytes } == 3 * 92, "three 92-byte datagrams, sent by the injector")
        #expect(!sent.isEmpty && sent.allSatisfy { $0.method == "packet-socket" && $0.localPort == 5371 }, "\(sent)")
        #expect(report.processes.allSatisfy { $0.pid == injector.pid }, "no other process credited")
        #expect(report.unknown.contains { $0.localPort == 5372 && $0.reason == "no-socket" }, "nothing listens on 5372")
    }

    @Test("With two injectors alive, the second one's frames are ambiguous-owner, credited to neither")
    func twoInjectorsAreNotGuessedBetween() throws {
        let namespace = try TestNamespace("inject2")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "udp"])
        // The first is alone when its frame is looked up; the second finds it still holding its socket.
        let first = try Peer.start(in: namespace, ["inject", "lo", "127.0.0.1", "127.0.0.1", "5373", "5374", "1", "1500"])
        usleep(200_000)
        let second = try Peer.start(in: namespace, ["inject", "lo", "127.0.0.1", "127.0.0.1", "5375", "5374", "1", "300"])
        second.wait()
        first.wait()
        let report = try capture.stop()
        let owners = [(first.pid, "udp", UInt16(5373)), (second.pid, "udp", UInt16(5375))]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: first.pid, proto: "udp", port: 5373) == 92)
        #expect(report.bytes(pid: second.pid, proto: "udp", port: 5375) == 0)
        #expect(report.unknown.contains { $0.localPort == 5375 && $0.reason == "ambiguous-owner" }, "\(report.unknown)")
    }
}
}
