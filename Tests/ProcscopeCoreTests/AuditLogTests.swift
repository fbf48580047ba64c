import Foundation
@testable import ProcscopeCore
import Testing

/// The audit listing: tcpdump-like lines with owners, held while a lookup is pending, in capture order.
@Suite struct AuditLogTests {
    let local = IPAddress(ipv4: 0xC612_0001)

    func session(_ attributor: Attributor) -> CaptureSession {
        CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                       attributor: attributor)
    }

    @Test("A packet waits for its owner, then prints with it; a later packet never overtakes it")
    func linesWaitForOwnersInOrder() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let log = AuditLog(json: false, interfaceName: { _ in "eth0" })
        session.packetObserver = { log.append($0) }
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 6, sourcePort: 40000, destinationPort: 80, flags: 0x02), at: 1_700_000_000_000_001)
        session.ingest(FrameBuilder.ipv4(0xC612_0002, 0xC612_0001, proto: 17, sourcePort: 53, destinationPort: 5000, payload: 4), at: 1_700_000_000_000_002)
        #expect(log.drain(session, now: Timestamp(microseconds: 1_700_000_000_000_010)).isEmpty)
        let first = try #require(attributor.requests.first)
        session.apply(AttributionResult(conversation: first.conversation, key: first.key,
                                        attribution: .process(identity(7, name: "curl"), .exactSocket, nil),
                                        resolvedAt: .zero))
        let text = String(decoding: log.drain(session, now: Timestamp(microseconds: 1_700_000_000_000_020)), as: UTF8.self)
        #expect(text == "22:13:20.000001 eth0 out TCP 198.18.0.1.40000 > 198.18.0.2.80, length 40 [SYN] 7/curl\n")
        let forced = String(decoding: log.drain(session, now: .zero, force: true), as: UTF8.self)
        #expect(forced == "22:13:20.000002 eth0 in UDP 198.18.0.2.53 > 198.18.0.1.5000, length 32 <Unknown: lookup-pending>\n")
    }

    func identity(_ pid: Int32, name: String) -> ProcessIdentity {
        ProcessIdentity(pid: pid, startTime: .zero, name: name, executable: nil, commandLine: [], uid: 0,
                        userName: nil, networkNamespace: 0, cgroup: nil)
    }
}

/// `audit -v`: each line ends with what is known of its owners, every name defused.
extension AuditLogTests {
    @Test("-v adds user, exe, parent, container, unit and the remote's name from a captured DNS answer; escapes are defused")
    func verboseLinesCarryTheOwnersDetails() throws {
        let attributor = RecordingAttributor()
        let session = session(attributor)
        let log = AuditLog(json: false, verbose: true, interfaceName: { _ in "eth0" })
        session.packetObserver = { log.append($0) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dns = Array(try Data(contentsOf: root.appendingPathComponent("Fixtures/dns/a.bin")))
        var answer = FrameBuilder.ipv4(0xC612_0035, 0xC612_0001, proto: 17, sourcePort: 53, destinationPort: 40000, payload: dns.count)
        answer.replaceSubrange((answer.count - dns.count)..., with: dns)
        session.ingest(answer, at: 1_700_000_000_000_000)
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0x5DB8_D822, proto: 6, sourcePort: 40001, destinationPort: 443, flags: 0x02),
                       at: 1_700_000_000_000_100)
        let requests = attributor.requests
        let dnsRequest = try #require(requests.first { $0.key.local.port == 40000 })
        let webRequest = try #require(requests.first { $0.key.local.port == 40001 })
        session.apply(AttributionResult(conversation: dnsRequest.conversation, key: dnsRequest.key,
                                        attribution: .unknown(.ownerExited, detail: "pid 9 exited\u{1b}[2J"), resolvedAt: .zero))
        let docker = "/system.slice/docker-" + String(repeating: "ab", count: 32) + ".scope"
        let curl = ProcessIdentity(pid: 4242, startTime: .zero, name: "curl", executable: "/usr/bin/curl", commandLine: [],
                                   uid: 1000, userName: "alice", networkNamespace: 0, cgroup: docker, parentPID: 4200,
                                   parentName: "bash", containerNames: ContainerNames(container: "web\u{1b}]0;x\u{07}"))
        session.apply(AttributionResult(conversation: webRequest.conversation, key: webRequest.key,
                                        attribution: .process(curl, .exactSocket, nil), resolvedAt: .zero))
        let lines = String(decoding: log.drain(session, now: .zero, force: true), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasSuffix("<Unknown: owner-exited> (owner-exited: pid 9 exited?[2J)") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("4242/curl (4242: user alice, exe /usr/bin/curl, parent 4200/bash, container "
                                      + "web?]0;x? [docker abababababab]; remote www.example.com)") == true, "\(lines)")
    }
}
