import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// /proc/net socket tables, from the fixture tree (written by Scripts/make-fixtures.py in the kernel's format).
@Suite struct ProcNetSocketTableTests {
    static func table(_ name: String) -> [ProcNetSocket] {
        ProcNetSocketTable.parse(ProcFileSystem(root: Fixture.path("proc")).readText(Fixture.path("proc/net/" + name)) ?? "")
    }

    @Test("A ping socket's local port is its echo identifier, with its uid and inode")
    func pingSocket() throws {
        let socket = try #require(Self.table("icmp").first)
        #expect(socket.local == Endpoint(address: .ipv4Loopback, port: 0x1234))
        #expect(socket.remote == Endpoint(address: .ipv4Any, port: 0))
        #expect(socket.uid == 1000 && socket.inode == 77701 && socket.state == 7)
    }

    @Test("IPv6 addresses are read word by word in the kernel's byte order")
    func ipv6PingSocket() throws {
        let socket = try #require(Self.table("icmp6").first)
        #expect(socket.local.address.description == "fdbe:ac::1")
        #expect(socket.local.port == 0xABCD)
    }

    @Test("Raw sockets carry their protocol as the local port; a connected one its peer")
    func rawSockets() {
        let sockets = Self.table("raw")
        #expect(sockets.map(\.local.port) == [1, 253])
        #expect(sockets.last?.local.address.description == "198.18.0.1")
        #expect(sockets.last?.remote.address.description == "198.18.0.2")
    }

    @Test("Packet sockets: type, EtherType, interface, uid and inode")
    func packetSockets() {
        let text = ProcFileSystem(root: Fixture.path("proc")).readText(Fixture.path("proc/net/packet")) ?? ""
        #expect(ProcNetPacketTable.parse(text) == [
            ProcNetPacketSocket(type: 3, etherType: 0x0003, interfaceIndex: 2, uid: 0, inode: 77705),
            ProcNetPacketSocket(type: 2, etherType: 0, interfaceIndex: 0, uid: 1000, inode: 77706),
        ])
    }

    @Test("Lines that are not socket lines are skipped")
    func garbageIsSkipped() {
        #expect(ProcNetSocketTable.parse("header\nnot a socket line\n  1: zz:zz\n").isEmpty)
    }

    static func sctp(_ name: String) -> String {
        ProcFileSystem(root: Fixture.path("proc")).readText(Fixture.path("proc/net/sctp/" + name)) ?? ""
    }

    @Test("SCTP endpoints: port, socket state, uid, inode and bound addresses (the wildcard binds every address)")
    func sctpEndpoints() {
        let endpoints = ProcNetSCTPTable.parseEndpoints(Self.sctp("eps"))
        #expect(endpoints.map(\.localPort) == [5400, 40001])
        #expect(endpoints.map(\.inode) == [88801, 88802] && endpoints.map(\.uid) == [0, 1000])
        #expect(endpoints[0].stateName == "LISTEN" && endpoints[0].isBound(to: IPAddress(ipv4: 0xC612_0002)))
        #expect(endpoints[1].isBound(to: IPAddress(ipv4: 0xC612_0001)) && !endpoints[1].isBound(to: IPAddress(ipv4: 0xC612_0002)))
        #expect(endpoints.allSatisfy { $0.remotePort == 0 && $0.associationState == nil })
    }

    @Test("SCTP associations: both ports, every address of a multi-homed peer without the primary's star, IPv6 uncompressed")
    func sctpAssociations() throws {
        let associations = ProcNetSCTPTable.parseAssociations(Self.sctp("assocs"))
        try #require(associations.count == 3)
        let client = associations[0]
        #expect(client.localPort == 40001 && client.remotePort == 5400 && client.uid == 1000 && client.inode == 88802)
        #expect(client.localAddresses.map(\.description) == ["198.18.0.1"])
        #expect(client.remoteAddresses.map(\.description) == ["198.18.0.2", "198.18.1.2"])
        #expect(client.stateName == "ESTABLISHED")
        #expect(associations[1].localPort == 5400 && associations[1].inode == 88803)
        let ipv6 = associations[2]
        #expect(ipv6.localAddresses.map(\.description) == ["fdbe:ac::1"] && ipv6.remoteAddresses.map(\.description) == ["fdbe:ac::2"])
        #expect(ipv6.stateName == "COOKIE_WAIT")
    }

    @Test("procscope sockets lists every SCTP association and the listening endpoint, not a one-to-one socket's own endpoint twice")
    func sctpInventory() {
        let inventory = SocketInventory(proc: ProcFileSystem(root: Fixture.path("proc")))
        let records = inventory.sctpSockets(namespace: 7, via: 4242)
        #expect(records.map(\.inode) == [88801, 88802, 88803, 88804])
        #expect(records.allSatisfy { $0.kind == "sctp" && $0.namespace == 7 })
        #expect(records[0].state == "LISTEN" && records[0].remote == nil && records[0].local?.port == 5400)
        #expect(records[1].remote == Endpoint(address: IPAddress(ipv4: 0xC612_0002), port: 5400))
        #expect(records[1].detail == "also 198.18.1.2", "the peer's other address")
    }
}
