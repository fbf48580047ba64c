import CProcscopeLinux
import Glibc
@testable import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// The eBPF first-send recorder, loaded for real (root): a refused connect's SYN and a ping socket's echo
/// request are found under their tuple with the sending socket's cookie and this process as sender; a
/// datagram is not recorded.
@Suite(.enabled(if: getuid() == 0, "needs root to load a cgroup BPF program"))
struct FirstSendRecorderTests {
    static func cookie(of fd: Int32) -> UInt64 { SocketReleaseRecorderTests.cookie(of: fd) }

    /// This process's network namespace cookie, as the records carry it.
    static var namespaceCookie: UInt64 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        return ps_netns_cookie(fd)
    }

    static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    static func connect(_ fd: Int32, to address: sockaddr_in) -> Int32 {
        var address = address
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    @Test("A refused connect's SYN is recorded under its tuple with its socket's cookie and its sender")
    func refusedSynIsRecorded() throws {
        let recorder = try FirstSendRecorder()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var local = Self.loopback(47_311)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0)
        let before = wallClockNow()
        #expect(Self.connect(fd, to: Self.loopback(47_312)) != 0 && errno == ECONNREFUSED)
        let key = FlowKey(proto: .tcp, local: Endpoint(address: .ipv4Loopback, port: 47_311),
                          remote: Endpoint(address: .ipv4Loopback, port: 47_312), hasPorts: true)
        let record = try #require(recorder.firstSend(of: key, namespaceCookie: Self.namespaceCookie))
        #expect(record.cookie == Self.cookie(of: fd))
        if recorder.recordsSender { #expect(record.sender == getpid()) }
        #expect(abs(record.sentAt.microseconds(since: before)) < 1_000_000)
        let reversed = FlowKey(proto: .tcp, local: key.remote, remote: key.local, hasPorts: true)
        #expect(recorder.firstSend(of: reversed, namespaceCookie: Self.namespaceCookie) == nil, "the RST is not a first send")
    }

    @Test("An echo request is recorded under its identifier with its socket's cookie; a UDP datagram is not")
    func echoRequestIsRecordedAndDatagramIsNot() throws {
        let recorder = try FirstSendRecorder()
        // A raw ICMP socket (root has CAP_NET_RAW; ping sockets would need the host's ping_group_range): the
        // identifier is the one written in the request.
        let raw = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
        try #require(raw >= 0)
        defer { close(raw) }
        var request: [UInt8] = [8, 0, 0, 0, 0x42, 0x43, 0, 1]
        let checksum = ~request.withUnsafeBytes { bytes in
            var sum: UInt32 = 0
            for index in stride(from: 0, to: bytes.count, by: 2) { sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1]) }
            while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
            return UInt16(sum)
        }
        request[2] = UInt8(checksum >> 8)
        request[3] = UInt8(checksum & 0xFF)
        var destination = Self.loopback(0)
        let sent = withUnsafePointer(to: &destination) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(raw, &request, request.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(sent == request.count)
        let key = FlowKey(proto: .icmp, local: Endpoint(address: .ipv4Loopback, port: 0x4243),
                          remote: Endpoint(address: .ipv4Loopback, port: 0), hasPorts: true)
        let record = try #require(recorder.firstSend(of: key, namespaceCookie: Self.namespaceCookie))
        #expect(record.cookie == Self.cookie(of: raw))
        if recorder.recordsSender { #expect(record.sender == getpid()) }

        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(udp) }
        #expect(Self.connect(udp, to: Self.loopback(47_313)) == 0)
        #expect(send(udp, "x", 1, 0) == 1)
        let datagram = FlowKey(proto: .udp, local: Endpoint(address: .ipv4Loopback, port: localPort(udp)),
                               remote: Endpoint(address: .ipv4Loopback, port: 47_313), hasPorts: true)
        #expect(recorder.firstSend(of: datagram, namespaceCookie: Self.namespaceCookie) == nil)
    }

    func localPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
