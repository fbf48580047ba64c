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
