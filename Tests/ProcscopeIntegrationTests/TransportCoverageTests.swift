import Foundation
import Testing

/// Transports beyond TCP and UDP: MPTCP (its subflows are grafted onto the process's socket, so the exact
/// lookup finds the owner) and SCTP, which this kernel lacks: then a raw socket of protocol 132 is the only
/// possible sender or receiver, and with none the reason says why.
extension IntegrationTests {
@Suite struct TransportCoverageTests {
    @Test("An MPTCP client and server on loopback are attributed to their PIDs")
    func mptcpIsAttributed() throws {
        let namespace = try TestNamespace("mptcp")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5381"])
        let server = try Peer.start(in: namespace, ["mptcp-server", "127.0.0.1", "5381", "3"])
        let client = try Peer.start(in: namespace, ["mptcp-client", "127.0.0.1", "5381", "20000", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let owners = [(server.pid, "tcp", UInt16(5381)), (client.pid, "tcp", client.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: client.pid, proto: "tcp", port: client.port) > 20000)
        #expect(report.bytes(pid: server.pid, proto: "tcp", port: 5381) > 20000)
    }

    @Test("SCTP without kernel SCTP: a raw protocol-132 sender is credited, also seen from the far namespace, whose side has no SCTP socket")
    func sctpWithoutKernelSupport() throws {
        try #require(!FileManager.default.fileExists(atPath: "/proc/net/sctp"), "this test is for kernels without SCTP")
        let here = try TestNamespace("sa"), there = try TestNamespace("sb")
        defer { here.tearDown(); there.tearDown() }
        try here.connect(to: there)
        let sending = try ProcscopeRun(in: here, arguments: ["-i", here.vethName!, "sctp"])
        let receiving = try ProcscopeRun(in: there, arguments: ["-i", "any", "sctp"])
        let sender = try Peer.start(in: here, ["raw", "198.18.0.2", "132", "3", "100"])
        sender.wait()
        let sent = try sending.stop(), received = try receiving.stop()
        for report in [sent, received] {
            let credited = report.processes.filter { $0.pid == sender.pid }.flatMap(\.conversations)
            #expect(credited.reduce(0) { $0 + $1.txBytes } == 3 * 120 && credited.allSatisfy { $0.method == "raw-socket" },
                    "\(credited)")
            #expect(report.processes.allSatisfy { $0.pid == sender.pid }, "nothing else owns SCTP")
        }
        let farSide = received.unknown.filter { $0.localAddress == "198.18.0.2" }
        #expect(!farSide.isEmpty && farSide.allSatisfy { $0.proto == "sctp" && $0.reason == "no-socket" }, "\(farSide)")
    }
}
}
