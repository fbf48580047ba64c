import Foundation
import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// sock_diag and proc connector parsing on recorded kernel replies (Fixtures/netlink) and built messages.
@Suite struct NetlinkParsingTests {
    static func messages(_ name: String) throws -> [NetlinkMessage] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("netlink/" + name)))
        return data.withUnsafeBytes { NetlinkMessage.split($0) }
    }

    @Test("A recorded exact lookup of a listening TCP socket parses to its port, LISTEN state and an inode")
    func recordedListenerLookupParses() throws {
        let port = try String(contentsOfFile: Fixture.path("netlink/tcp-listener-lookup.port"), encoding: .utf8)
        let messages = try Self.messages("tcp-listener-lookup.bin")
        let message = try #require(messages.first { $0.type == NetlinkMessage.sockDiagByFamily })
        let socket = try #require(InetDiagMessage(payload: message.payload))
        #expect(socket.sourcePort == UInt16(port.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(socket.source == .ipv4Loopback)
        #expect(socket.state == .listen)
        #expect(socket.inode != 0)
    }

    @Test("A recorded TCP dump splits into inet_diag messages and ends with NLMSG_DONE")
    func recordedDumpParses() throws {
        let messages = try Self.messages("tcp-dump.bin")
        let sockets = messages.compactMap { $0.type == NetlinkMessage.sockDiagByFamily ? InetDiagMessage(payload: $0.payload) : nil }
        #expect(!sockets.isEmpty)
        #expect(sockets.allSatisfy { $0.family == 2 })
        #expect(sockets.contains { $0.state == .listen })
    }

    @Test("A truncated datagram yields only its whole messages")
    func truncatedDatagramIsCut() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("netlink/tcp-listener-lookup.bin")))
        let whole = data.withUnsafeBytes { NetlinkMessage.split($0) }.count
        let cut = data.prefix(data.count - 1).withUnsafeBytes { NetlinkMessage.split($0) }.count
        #expect(cut == whole - 1)
        #expect(InetDiagMessage(payload: [UInt8](repeating: 0, count: 20)) == nil)
    }

    @Test("An NLMSG_ERROR carries the errno: ENOENT for a socket that does not exist")
    func errorMessageCarriesErrno() {
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        u32(20 + 16); bytes += [2, 0, 0, 0]; u32(9); u32(0) // nlmsghdr: NLMSG_ERROR, seq 9
        withUnsafeBytes(of: Int32(-2).littleEndian) { bytes += $0 }
        bytes += [UInt8](repeating: 0, count: 16)
        let message = bytes.withUnsafeBytes { NetlinkMessage.split($0) }.first
        #expect(message?.type == NetlinkMessage.error && message?.sequence == 9 && message?.errorCode == 2)
    }

    @Test("Inputs the fuzzer found crashing parse without a trap: an error code of Int32.min is no errno")
    func fuzzCrashesParse() throws {
        let messages = try Self.messages("fuzz-crash-error-int32-min.bin")
        #expect(!messages.isEmpty)
        #expect(messages.contains { $0.payload.count >= 4 && $0.errorCode == nil })
        for message in messages {
            _ = InetDiagMessage(payload: message.payload)
            _ = PacketDiagMessage(payload: message.payload)
            _ = ConntrackMessage.binding(message.payload)
        }
    }

    @Test("Proc connector events: fork, exec and exit of thread-group leaders; threads are ignored")
    func processEventsParse() {
        func event(_ what: UInt32, _ fields: [Int32]) -> ProcessEvent? {
            var bytes = [UInt8](repeating: 0, count: 36)
            withUnsafeBytes(of: what) { bytes += $0 }
            bytes += [UInt8](repeating: 0, count: 12)
            for field in fields { withUnsafeBytes(of: field) { bytes += $0 } }
            bytes += [UInt8](repeating: 0, count: 16)
            return bytes.withUnsafeBytes { ProcessEvent.parse($0, eventOffset: 36, dataOffset: 16) }
        }
        #expect(event(1, [10, 10, 20, 20]) == .fork(parent: 10, child: 20))
        #expect(event(1, [10, 10, 21, 20]) == nil)
        #expect(event(2, [30, 30]) == .exec(pid: 30))
        #expect(event(0x8000_0000, [40, 40]) == .exit(pid: 40))
        #expect(event(0x8000_0000, [41, 40]) == nil)
    }
}
