import Foundation
import ProcscopeCore
import Testing

/// `-w OUT.pcapng`: every packet of the exchanges is in the file, in order, with a comment naming the PIDs
/// the test started, which tshark reads; and `capture -r` on the file reproduces the live JSON exactly.
extension IntegrationTests {
@Suite struct AnnotatedCaptureTests {
    @Test("tshark shows each packet's owners as its frame comment, and audit -r names the same")
    func tsharkShowsTheOwners() throws {
        let namespace = try TestNamespace("pcapng")
        defer { namespace.tearDown() }
        let path = NSTemporaryDirectory() + "procscope-annotated-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-w", path, "tcp", "port", "5361"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5361", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5361", "3000", "20"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let lines = try Shell.run(["tshark", "-r", path, "-T", "fields", "-e", "frame.number", "-e", "frame.comment"])
            .split(separator: "\n").filter { $0.first?.isNumber == true }
        let comments = lines.map { String($0.split(separator: "\t", maxSplits: 1).last ?? "") }
        #expect(lines.count == Int(report.packets), "one frame per captured packet, and no other frames")
        let clientToServer = "procscope: \(client.pid)/procscope-testp > \(server.pid)/procscope-testp"
        let serverToClient = "procscope: \(server.pid)/procscope-testp > \(client.pid)/procscope-testp"
        #expect(!comments.isEmpty && comments.allSatisfy { $0 == clientToServer || $0 == serverToClient }, "\(comments)")

        // audit reads the file back: the same owners, packet by packet, sender first.
        let audit = try Shell.run([Shell.binaryDirectory + "/procscope", "audit", "-r", path, "--json"])
        let owners = audit.split(separator: "\n").filter { $0.hasPrefix("{") }.map { line -> [Int] in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            return (object["owners"] as? [[String: Any]] ?? []).compactMap { $0["pid"] as? Int }
        }
        let expected = comments.map { $0 == clientToServer ? [Int(client.pid), Int(server.pid)] : [Int(server.pid), Int(client.pid)] }
        #expect(owners == expected)
    }

    @Test("Each packet carries its sender's pid; --process-blocks describes client and server before their packets")
    func wiresharkProcessFields() throws {
        let namespace = try TestNamespace("pcapngpid")
        defer { namespace.tearDown() }
        let path = NSTemporaryDirectory() + "procscope-processes-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-w", path, "--process-blocks",
                                                                  "tcp", "port", "5364"])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5364", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5364", "3000", "20"])
        client.wait()
        let report = try capture.stop()
        server.stop()
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var senders: [Int32] = [], described: [String?] = []
        try file.withUnsafeBytes { bytes in
            var reader = try PcapngFileReader(bytes)
            while let frame = try reader.next() {
                senders.append(frame.processID)
                described.append(reader.wiresharkProcesses.process(pid: frame.processID, at: frame.time)?.name)
                // The comment names the sender first: the pid Wireshark gets is that one.
                let comment = String(decoding: frame.comment, as: UTF8.self)
                #expect(comment.hasPrefix("procscope: \(frame.processID)/"), "\(comment)")
            }
        }
        #expect(senders.count == Int(report.packets))
        #expect(Set(senders) == [client.pid, server.pid])
        #expect(described.allSatisfy { $0 == "procscope-testp" }, "each process described before its first packet")
        // Wireshark before its process blocks (Debian's tshark 4.0) lists each block as a frame of its own.
        let frames = try Shell.run(["tshark", "-r", path]).split(separator: "\n").filter { $0.contains("Custom Block") }
        #expect(frames.count == 2, "one block per process")
    }

    @Test("capture -r on the annotated file gives the live run's JSON, byte for byte")
    func rereadEqualsLiveJSON() throws {
        let namespace = try TestNamespace("roundtrip")
        defer { namespace.tearDown() }
        let path = NSTemporaryDirectory() + "procscope-roundtrip-\(getpid()).pcapng"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-w", path])
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5362", "3"])
        let client = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", "5362", "20000", "20"])
        // A datagram to a closed port: its port-unreachable joins the sender's conversation.
        let sender = try Peer.start(in: namespace, ["udp-client", "127.0.0.1", "5363", "100", "50"])
        client.wait()
        sender.wait()
        let live = try capture.stop()
        server.stop()
        let reread = try CaptureJSON.read(path)
        #expect(Set(live.processes.map(\.pid)).isSuperset(of: [server.pid, client.pid, sender.pid]),
                "the live run attributed what the test started")
        #expect(reread.data == live.data, "\(String(decoding: reread.data, as: UTF8.self))")
    }
}
}
