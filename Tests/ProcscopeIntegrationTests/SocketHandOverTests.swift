import Foundation
import Testing

/// A socket that changes hands: the opener connects, sends 256 KiB, forks a child that execs another program
/// on the inherited socket, and exits; the child sends 8 MiB. Before, all 8 MiB were credited to the opener,
/// which no longer existed.
extension IntegrationTests {
@Suite struct SocketHandOverTests {
    @Test("fork + exec hand-over: the opener is credited with what it sent, the heir with what it sent (inherited-socket)")
    func heirIsCreditedForWhatItSentOnAnInheritedSocket() throws {
        let namespace = try TestNamespace("handover")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5320"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5320", "30"])
        let opener = try Peer.start(in: namespace, ["handover", "127.0.0.1", "5320", String(256 << 10), String(8 << 20)])
        let heirLine = opener.nextLine()
        let heir = try #require(Int32(heirLine.split(separator: "=").last ?? ""), "no heir line: \(heirLine)")
        opener.wait()
        // The heir is reparented once its opener exits: wait for it to be gone by polling, not reaping.
        var waited = 0
        while kill(heir, 0) == 0 && waited < 10_000 {
            usleep(10_000)
            waited += 10
        }
        let report = try capture.stop()
        server.stop()

        let owners = [(server.pid, "tcp", server.port), (opener.pid, "tcp", opener.port), (heir, "tcp", opener.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        let openerBytes = report.bytes(pid: opener.pid, proto: "tcp", port: opener.port)
        let heirBytes = report.bytes(pid: heir, proto: "tcp", port: opener.port)
        print("hand-over: opener \(opener.pid) credited \(openerBytes) bytes, heir \(heir) \(heirBytes) bytes")
        #expect(openerBytes >= 256 << 10 && openerBytes < 1 << 20, "the opener sent 256 KiB")
        #expect(heirBytes >= 8 << 20 && heirBytes < 9 << 20, "the heir sent 8 MiB")
        let heirMethods = report.processes.filter { $0.pid == heir }.flatMap(\.conversations).compactMap(\.method)
        #expect(heirMethods == ["inherited-socket"])
        #expect(report.bytes(pid: server.pid, proto: "tcp", port: server.port) >= (256 << 10) + (8 << 20))
    }

    @Test("A socket passed to an unrelated process over a unix socket (SCM_RIGHTS): each credited for what it sent")
    func receiverOfAPassedSocketIsCreditedForWhatItSent() throws {
        let namespace = try TestNamespace("fdpass")
        defer { namespace.tearDown() }
        let path = NSTemporaryDirectory() + "procscope-fdpass-\(getpid()).sock"
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "tcp", "port", "5321"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5321", "30"])
        let receiver = try Peer.start(in: namespace, ["fd-receiver", path, String(8 << 20)])
        let opener = try Peer.start(in: namespace, ["fd-pass", "127.0.0.1", "5321", String(256 << 10), path])
        opener.wait()
        receiver.wait()
        let report = try capture.stop()
        server.stop()

        let owners = [(server.pid, "tcp", server.port), (opener.pid, "tcp", opener.port), (receiver.pid, "tcp", opener.port)]
        #expect(report.wronglyCreditedBytes(owners: owners) == 0)
        let openerBytes = report.bytes(pid: opener.pid, proto: "tcp", port: opener.port)
        let receiverBytes = report.bytes(pid: receiver.pid, proto: "tcp", port: opener.port)
        print("fd passing: opener \(opener.pid) credited \(openerBytes) bytes, receiver \(receiver.pid) \(receiverBytes) bytes")
        #expect(openerBytes >= 256 << 10 && openerBytes < 1 << 20, "the opener sent 256 KiB")
        #expect(receiverBytes >= 8 << 20 && receiverBytes < 9 << 20, "the receiver sent 8 MiB")
    }
}
}
