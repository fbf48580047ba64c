import Foundation
import Testing

/// On a loopback device the kernel hands a packet socket each frame twice (as sent and as received) unless
/// it is told to ignore the sent copies. procscope tells it: the frame reaches the capture once, its sender
/// and receiver are both still credited, and "received by filter" (the kernel's count) equals "captured".
/// On `any` too, where the kernel filter rejects the copies.
extension IntegrationTests {
@Suite struct LoopbackCaptureTests {
    @Test("A loopback frame reaches the capture once: received by filter equals captured, both ends credited",
          arguments: ["lo", "any"])
    func loopbackFramesArriveOnce(interface: String) throws {
        let namespace = try TestNamespace("loonce-\(interface)")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", interface, "udp", "port", "5351"])
        let server = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5351", "5"])
        defer { server.stop() }
        // 20 datagrams of 100 bytes (128 bytes of IPv4 each), 0.2 ms apart.
        let client = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5351", "100", "0", "0", "20"])
        client.wait()
        let report = try capture.stop()
        let stderr = capture.laterStandardError()
        #expect(stderr.contains("20 packets captured\n20 packets received by filter\n"), "\(stderr)")
        #expect(report.bytes(pid: client.pid, proto: "udp", port: client.port) == 20 * 128)
        #expect(report.bytes(pid: server.pid, proto: "udp", port: 5351) == 20 * 128)
    }
}
}
