import Foundation
import Testing

/// `procscope sockets` run from the host sees the sockets of processes inside a namespace the test made,
/// with their PIDs: a TCP listener, a ping socket and an injector's packet socket.
extension IntegrationTests {
@Suite struct SocketsCommandTests {
    @Test("The table lists a namespaced TCP listener, a pinger's ping socket and an injector's packet socket with their PIDs and namespace")
    func namespacedSocketsAreListedWithOwners() throws {
        let namespace = try TestNamespace("socks")
        defer { namespace.tearDown() }
        try namespace.exec(["sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5320", "5"])
        defer { server.stop() }
        let pinger = try Peer.start(in: namespace, ["ping", "127.0.0.1", "1", "3000"])
        defer { pinger.stop() }
        let injector = try Peer.start(in: namespace, ["inject", "lo", "127.0.0.1", "127.0.0.1", "5330", "5331", "1", "3000"])
        defer { injector.stop() }
        // Shell.run merges stderr (warnings) into the output: the JSON is its one line that opens an object.
        let output = try Shell.run([Shell.binaryDirectory + "/procscope", "sockets", "--json"])
        let json = output.split(separator: "\n").first { $0.hasPrefix("{") } ?? ""
        let root = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
        #expect(root["schema"] as? String == "procscope-sockets/1")
        let sockets = root["sockets"] as? [[String: Any]] ?? []
        func owners(_ socket: [String: Any]) -> [Int] {
            (socket["owners"] as? [[String: Any]] ?? []).compactMap { $0["pid"] as? Int }
        }
        func port(_ socket: [String: Any]) -> Int? { (socket["local"] as? [String: Any])?["port"] as? Int }
        let hostNamespace = try Shell.run(["readlink", "/proc/self/ns/net"])
        let listener = sockets.first { $0["kind"] as? String == "tcp" && port($0) == 5320 && $0["state"] as? String == "LISTEN" }
        #expect(listener.map(owners) == [Int(server.pid)])
        #expect(listener.map { !hostNamespace.contains(String($0["netns"] as? Int ?? 0)) } == true)
        let ping = sockets.first { $0["kind"] as? String == "ping" && port($0) == Int(pinger.port) }
        #expect(ping.map(owners) == [Int(pinger.pid)])
        let packet = sockets.first { $0["kind"] as? String == "packet" && owners($0) == [Int(injector.pid)] }
        let detail = packet?["detail"] as? String ?? ""
        #expect(detail.hasPrefix("raw ") && !detail.contains("rx-ring"), "an injector maps no capture ring: \(detail)")
    }
}
}
