import Foundation
import Testing

/// Traffic a namespace only routes between two others is not-local there: never credited to a process of
/// the routing namespace, nor guessed onto the ends.
extension IntegrationTests {
@Suite struct ForwardedTrafficTests {
    @Test("UDP routed between two namespaces through a third is not-local where it is only forwarded")
    func routedTrafficIsNotLocal() throws {
        let left = try TestNamespace("fl"), router = try TestNamespace("fr"), right = try TestNamespace("fx")
        defer { left.tearDown(); router.tearDown(); right.tearDown() }
        let tag = getpid() % 100_000
        try Shell.run(["ip", "link", "add", "fa\(tag)", "netns", left.name, "type", "veth", "peer", "name", "fb\(tag)", "netns", router.name])
        try Shell.run(["ip", "link", "add", "fc\(tag)", "netns", router.name, "type", "veth", "peer", "name", "fd\(tag)", "netns", right.name])
        try left.exec(["ip", "addr", "add", "198.18.1.1/24", "dev", "fa\(tag)"])
        try router.exec(["ip", "addr", "add", "198.18.1.254/24", "dev", "fb\(tag)"])
        try router.exec(["ip", "addr", "add", "198.18.2.254/24", "dev", "fc\(tag)"])
        try right.exec(["ip", "addr", "add", "198.18.2.1/24", "dev", "fd\(tag)"])
        for (namespace, device) in [(left, "fa\(tag)"), (router, "fb\(tag)"), (router, "fc\(tag)"), (right, "fd\(tag)")] {
            try namespace.exec(["ip", "link", "set", device, "up"])
        }
        try left.exec(["ip", "route", "add", "default", "via", "198.18.1.254"])
        try right.exec(["ip", "route", "add", "default", "via", "198.18.2.254"])
        try router.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"])

        let capture = try ProcscopeRun(in: router, arguments: ["-i", "any", "udp", "port", "5330"])
        let server = try Peer.start(in: right, ["udp-server", "198.18.2.1", "5330", "3"])
        let client = try Peer.start(in: left, ["udp-client", "198.18.2.1", "5330", "500", "20"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        #expect(report.processes.allSatisfy { $0.conversations.isEmpty }, "a process was credited with forwarded traffic")
        let forwarded = report.unknown.filter { $0.proto == "udp" }
        #expect(!forwarded.isEmpty && forwarded.allSatisfy { $0.reason == "not-local" }, "\(forwarded.map(\.reason))")
    }
}
}
