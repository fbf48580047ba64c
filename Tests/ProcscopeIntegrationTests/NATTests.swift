import Foundation
import Testing

/// Containers behind NAT: a namespace whose traffic the host masquerades (docker's default bridge), and a
/// server reached through a port forward (`docker run -p 8080:80`). The kernel's connection tracking joins
/// the copies before and after the translation: one flow of the process behind it, counted once.
extension IntegrationTests {
@Suite struct NATTests {
    /// ctr (198.18.5.2) - host (198.18.5.1 | 198.18.6.1, forwarding, nftables NAT) - remote (198.18.6.2).
    /// `rules` are nft commands run in the host namespace (its table goes with the namespace); UPLINK in them
    /// names the host's device towards remote.
    func topology(_ label: String, rules: [[String]]) throws -> (ctr: TestNamespace, host: TestNamespace, remote: TestNamespace) {
        let ctr = try TestNamespace("\(label)c"), host = try TestNamespace("\(label)h"), remote = try TestNamespace("\(label)r")
        try ctr.link(to: host, address: "198.18.5.2/24", peerAddress: "198.18.5.1/24")
        let (uplink, _) = try host.link(to: remote, address: "198.18.6.1/24", peerAddress: "198.18.6.2/24")
        try ctr.exec(["ip", "route", "add", "default", "via", "198.18.5.1"])
        try host.exec(["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        try host.exec(["nft", "add", "table", "ip", "pstest"])
        for rule in rules { try host.exec(["nft"] + rule.map { $0 == "UPLINK" ? uplink : $0 }) }
        return (ctr, host, remote)
    }

    @Test("A masqueraded namespace uploading through the host: credited to its process once, as many bytes as crossed the wire")
    func masqueradedUploadIsCreditedOnce() throws {
        let (ctr, host, remote) = try topology("nm", rules: [
            ["add", "chain", "ip", "pstest", "post", "{ type nat hook postrouting priority 100; }"],
            ["add", "rule", "ip", "pstest", "post", "ip", "saddr", "198.18.5.0/24", "oifname", "UPLINK", "masquerade"],
        ])
        defer { ctr.tearDown(); host.tearDown(); remote.tearDown() }
        let capture = try ProcscopeRun(in: host, arguments: ["-i", "any", "tcp", "port", "5350"])
        let server = try Peer.start(in: remote, ["tcp-server", "198.18.6.2", "5350", "10"])
        let client = try Peer.start(in: ctr, ["tcp-client", "198.18.6.2", "5350", "100000", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let clientBytes = report.bytes(pid: client.pid, proto: "tcp", port: client.port)
        let total = (report.root["capture"] as? [String: Any])?["bytes"] as? Int ?? -1
        print("masquerade: client credited \(clientBytes) bytes; the capture counted \(total) bytes once each")
        let owners = [(client.pid, "tcp", client.port), (server.pid, "tcp", UInt16(5350))]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        // The upload's 100,000 bytes with its headers and handshake, 100,900 bytes, once. A translated copy of a
        // handshake frame captured just before its conntrack event was read is counted once more (README's
        // limits: at most the first few frames, never to another process), under the host's translated
        // address or the far end's pre-translation tuple.
        #expect(clientBytes >= 100_900 && clientBytes <= 100_900 + 400, "each frame once, all of them the client's")
        #expect(total >= 100_900 && total <= 100_900 + 400, "the capture counted each frame once")
        let extra = report.unknown.filter { $0.bytes > 0 }
        #expect(extra.reduce(0) { $0 + $1.txPackets + $1.rxPackets } <= 6, "\(extra.map { "\($0.reason ?? "?") \($0.bytes) bytes" })")
    }

    @Test("A server in a namespace reached through a DNAT port forward: credited to that server, once")
    func portForwardedServerIsCredited() throws {
        let (ctr, host, remote) = try topology("nd", rules: [
            ["add", "chain", "ip", "pstest", "pre", "{ type nat hook prerouting priority -100; }"],
            ["add", "rule", "ip", "pstest", "pre", "tcp", "dport", "8080", "dnat", "to", "198.18.5.2:80"],
        ])
        defer { ctr.tearDown(); host.tearDown(); remote.tearDown() }
        let capture = try ProcscopeRun(in: host, arguments: ["-i", "any", "tcp"])
        let server = try Peer.start(in: ctr, ["tcp-server", "198.18.5.2", "80", "10"])
        let client = try Peer.start(in: remote, ["tcp-client", "198.18.6.1", "8080", "100000", "50"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let serverBytes = report.bytes(pid: server.pid, proto: "tcp", port: 80)
        let total = (report.root["capture"] as? [String: Any])?["bytes"] as? Int ?? -1
        print("port forward: server credited \(serverBytes) bytes; the capture counted \(total) bytes once each")
        let owners = [(client.pid, "tcp", client.port), (server.pid, "tcp", UInt16(80))]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        #expect(serverBytes >= 100_900 && serverBytes <= 100_900 + 400, "each frame once, the forwarded SYN included")
        let clientBytes = report.bytes(pid: client.pid, proto: "tcp", port: client.port)
        #expect(clientBytes >= 100_900 && clientBytes <= 100_900 + 400)
        let extra = report.unknown.filter { $0.bytes > 0 }
        #expect(extra.reduce(0) { $0 + $1.txPackets + $1.rxPackets } <= 6, "\(extra.map { "\($0.reason ?? "?") \($0.bytes) bytes" })")
    }
}
}
