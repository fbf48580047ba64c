import Foundation
import Testing

/// Attribution on a host shaped like a busy server: 2,000 idle processes holding 50 sockets each in the
/// background (procscope-testpeer crowd), so a host-wide /proc/PID/fd search takes a third of a second. The
/// kernel's records (socket creator by cookie, confirmed in that one process's fds) must find owners in time
/// independent of that, and the slow search must never hold up other lookups.
extension IntegrationTests {
@Suite struct BusyHostTests {
    static let crowdProcesses = 2000

    /// Starts the background crowd; the caller stops it (by its PID, which ends its children by theirs).
    func crowd(in namespace: TestNamespace) throws -> Peer {
        try Peer.start(in: namespace, ["crowd", String(Self.crowdProcesses), "50", "300"])
    }

    @Test("Beside 2,000 processes x 50 sockets, 200 TCP and 200 UDP clients that exit at once: at least 95% attributed",
          arguments: ["tcp", "udp"])
    func exitingClientsAreAttributedOnABusyHost(_ proto: String) throws {
        let background = try TestNamespace("crowd\(proto)")
        defer { background.tearDown() }
        let crowd = try crowd(in: background)
        defer { crowd.stop() }
        let outcome = try ShortLivedClientTests().run(proto, clients: 200, lingerMilliseconds: 0, label: "busy\(proto)")
        #expect(outcome.attributed * 100 >= outcome.total * 95, "\(outcome.attributed)/\(outcome.total) attributed")
        #expect(outcome.medianLatencyMicros >= 0 && outcome.medianLatencyMicros < 1000,
                "median first-packet-to-owner \(outcome.medianLatencyMicros) us")
    }

    /// The failure this replaces: the first socket's close could not be tied to a conversation whose lookup
    /// was still pending, so the second process's datagrams ran into the first one's conversation.
    @Test("Beside 2,000 processes, a UDP port reused by a second process right after the first exits: each credited exactly what it sent")
    func reusedUDPPortOnABusyHostIsNeverMerged() throws {
        let background = try TestNamespace("crowdreuse")
        defer { background.tearDown() }
        let crowd = try crowd(in: background)
        defer { crowd.stop() }
        let namespace = try TestNamespace("busyreuse")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "udp", "port", "5312"])
        let server = try Peer.start(in: namespace, ["udp-server", "127.0.0.1", "5312", "30"])
        let first = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5312", "1000", "0", "47000", "20"])
        first.wait()
        let second = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5312", "1000", "0", "47000", "200"])
        second.wait()
        let report = try capture.stop()
        server.stop()
        let datagram = 1000 + 8 + 20
        #expect(report.bytes(pid: first.pid, proto: "udp", port: 47000) == 20 * datagram)
        #expect(report.bytes(pid: second.pid, proto: "udp", port: 47000) == 200 * datagram)
        #expect(report.bytes(pid: server.pid, proto: "udp", port: 5312) == 220 * datagram)
    }
}
}
