import Foundation
import Testing

/// Traffic a namespace routes between two others of this host (containers routed without NAT) belongs to the
/// processes at both ends, in their namespaces, never to a process of the routing namespace; traffic with no
/// end on this host is not-local.
extension IntegrationTests {
@Suite struct ForwardedTrafficTests {
    /// left (198.18.1.1) - router - right (198.18.2.1), the router forwarding IPv4; `leftDevice` is left's veth.
    func routedPair() throws -> (left: TestNamespace, router: TestNamespace, right: TestNamespace, leftDevice: String) {
        let left = try TestNamespace("fl"), router = try TestNamespace("fr"), right = try TestNamespace("fx")
        let (leftDevice, _) = try left.link(to: router, address: "198.18.1.1/24", peerAddress: "198.18.1.254/24")
        try router.link(to: right, address: "198.18.2.254/24", peerAddress: "198.18.2.1/24")
        try left.exec(["ip", "route", "add", "default", "via", "198.18.1.254"])
        try right.exec(["ip", "route", "add", "default", "via", "198.18.2.254"])
        try router.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        return (left, router, right, leftDevice)
    }

    @Test("UDP routed between two namespaces through a third is credited at both ends, each in its namespace")
    func routedTrafficIsCreditedAtBothEnds() throws {
        let (left, router, right, _) = try routedPair()
        defer { left.tearDown(); router.tearDown(); right.tearDown() }
        let capture = try ProcscopeRun(in: router, arguments: ["-i", "any", "udp", "port", "5330"])
        let server = try Peer.start(in: right, ["udp-server", "198.18.2.1", "5330", "3"])
        let client = try Peer.start(in: left, ["udp-client", "198.18.2.1", "5330", "500", "20"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let owners = [(client.pid, "udp", client.port), (server.pid, "udp", server.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(report.bytes(pid: client.pid, proto: "udp", port: client.port) == 528, "the client's datagram, once")
        #expect(report.bytes(pid: server.pid, proto: "udp", port: server.port) == 528, "the server received it, once")
        #expect(Set(report.processes.filter { !$0.conversations.isEmpty }.map(\.pid)) == [client.pid, server.pid])
        #expect(report.unknown.filter { $0.proto == "udp" }.isEmpty, "\(report.unknown.map { $0.reason ?? "?" })")
    }

    @Test("Frames forwarded between addresses of no namespace of this host are not-local")
    func framesOfNoNamespaceHereAreNotLocal() throws {
        let (left, router, right, leftDevice) = try routedPair()
        defer { left.tearDown(); router.tearDown(); right.tearDown() }
        let capture = try ProcscopeRun(in: router, arguments: ["-i", "any", "udp", "port", "5331"])
        // 198.19.9.0/24 is assigned in no namespace: frames written onto the left veth, as a remote host would.
        let injector = try Peer.start(in: left, ["inject", leftDevice, "198.19.9.1", "198.19.9.2", "40000", "5331", "3", "0"])
        injector.wait()
        let report = try capture.stop()
        #expect(report.processes.allSatisfy { $0.conversations.isEmpty }, "a process was credited with foreign traffic")
        let foreign = report.unknown.filter { $0.proto == "udp" }
        #expect(!foreign.isEmpty && foreign.allSatisfy { $0.reason == "not-local" }, "\(foreign.map(\.reason))")
    }
}
}
