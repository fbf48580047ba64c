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
}
