import Foundation
import Synchronization

/// A network namespace made for one test (loopback up), optionally joined to a second one by a veth pair
/// with addresses from 198.18.0.0/15 and fdbe:ac::/64. `tearDown()` deletes what it made.
final class TestNamespace {
    let name: String
    private(set) var peers: [TestNamespace] = []
    /// Whether this is the host's own namespace (`host`): nothing to make or delete, commands run as they are.
    private let isHost: Bool

    /// The host's namespace, for what only runs as deployed there (the proc connector lives only in it, and
    /// entering it from another takes cap_sys_admin). Tests in it use loopback only, on ports of their own.
    static var host: TestNamespace { TestNamespace(hostNamed: "host") }

    private init(hostNamed name: String) {
        self.name = name
        isHost = true
    }

    /// The words that run a command in this namespace.
    var commandPrefix: [String] { isHost ? [] : ["ip", "netns", "exec", name] }

    init(_ label: String) throws {
        name = "ps-\(label)-\(getpid() % 100_000)"
        isHost = false
        try? Shell.run(["ip", "netns", "del", name])
        try Shell.run(["ip", "netns", "add", name])
        try exec(["ip", "link", "set", "lo", "up"])
    }

    func exec(_ command: [String]) throws {
        try Shell.run(commandPrefix + command)
    }

    /// Joins `self` (198.18.0.1, fdbe:ac::1) and `other` (198.18.0.2, fdbe:ac::2) with a veth pair.
    func connect(to other: TestNamespace) throws {
        let here = "vp\(getpid() % 100_000)a", there = "vp\(getpid() % 100_000)b"
        try Shell.run(["ip", "link", "add", here, "netns", name, "type", "veth", "peer", "name", there, "netns", other.name])
        try exec(["ip", "addr", "add", "198.18.0.1/24", "dev", here])
        try exec(["ip", "-6", "addr", "add", "fdbe:ac::1/64", "dev", here, "nodad"])
        try exec(["ip", "link", "set", here, "up"])
        try other.exec(["ip", "addr", "add", "198.18.0.2/24", "dev", there])
        try other.exec(["ip", "-6", "addr", "add", "fdbe:ac::2/64", "dev", there, "nodad"])
        try other.exec(["ip", "link", "set", there, "up"])
        peers.append(other)
        vethName = here
    }

    private(set) var vethName: String?

    private static let links = Atomic<Int>(0)

    /// Joins `self` to `other` with a veth pair, `address` here and `peerAddress` there (IPv4 CIDR), both up;
    /// the devices' names, here and there.
    @discardableResult
    func link(to other: TestNamespace, address: String, peerAddress: String) throws -> (here: String, there: String) {
        let number = Self.links.add(1, ordering: .relaxed).newValue
        let here = "pl\(getpid() % 100_000)a\(number)", there = "pl\(getpid() % 100_000)b\(number)"
        try Shell.run(["ip", "link", "add", here, "netns", name, "type", "veth", "peer", "name", there, "netns", other.name])
        try exec(["ip", "addr", "add", address, "dev", here])
        try other.exec(["ip", "addr", "add", peerAddress, "dev", there])
        try exec(["ip", "link", "set", here, "up"])
        try other.exec(["ip", "link", "set", there, "up"])
        return (here, there)
    }

    func tearDown() {
        guard !isHost else { return }
        try? Shell.run(["ip", "netns", "del", name])
    }
}
