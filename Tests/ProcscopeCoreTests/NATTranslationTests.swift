@testable import ProcscopeCore
import Testing

/// Frames of a connection this host translates are counted for the processes at its ends, under the tuples
/// their sockets have, whichever side of the translation they were captured on.
@Suite struct NATTranslationTests {
    let host = IPAddress(ipv4: 0xC612_0601)      // 198.18.6.1: the host's uplink address
    let container = 0xC612_0502 as UInt32         // 198.18.5.2, in namespace #3
    let server = 0xC612_0602 as UInt32            // 198.18.6.2, in namespace #4

    final class TwoNamespaces: NamespaceDirectory {
        func namespace(of address: IPAddress) -> UInt16? {
            address == IPAddress(ipv4: 0xC612_0502) ? 3 : address == IPAddress(ipv4: 0xC612_0602) ? 4 : nil
        }
    }

    /// The container's connection 198.18.5.2:40000 -> 198.18.6.2:80, masqueraded to 198.18.6.1:50000.
    var masquerade: NATBinding {
        NATBinding(proto: .tcp,
                   originalSource: Endpoint(address: IPAddress(ipv4: container), port: 40000),
                   originalDestination: Endpoint(address: IPAddress(ipv4: server), port: 80),
                   replySource: Endpoint(address: IPAddress(ipv4: server), port: 80),
                   replyDestination: Endpoint(address: host, port: 50000))
    }

    func keys(after frame: [UInt8]) -> [(UInt16, UInt16, Bool)] {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([host])),
                                     attributor: attributor)
        session.namespaces = TwoNamespaces()
        session.nat.insert(masquerade)
        session.ingest(frame, at: 1)
        return attributor.requests.map { ($0.key.local.port, $0.key.namespace, $0.firstFrameOutgoing) }
            .sorted { $0.0 < $1.0 }
    }

    @Test("Before and after masquerading, an upload is the container's tx and the server's rx, under their own sockets' tuples")
    func masqueradedFrameIsKeyedForBothEnds() {
        let before = keys(after: FrameBuilder.ipv4(container, server, proto: 6, sourcePort: 40000, destinationPort: 80))
        let after = keys(after: FrameBuilder.ipv4(0xC612_0601, server, proto: 6, sourcePort: 50000, destinationPort: 80))
        #expect(before.count == 2 && before[0] == (80, 4, false) && before[1] == (40000, 3, true))
        #expect(after.count == 2 && after[0] == (80, 4, false) && after[1] == (40000, 3, true))
    }

    @Test("The server's answer to the translated address is the server's tx and the container's rx")
    func answerIsKeyedForBothEnds() {
        let answer = keys(after: FrameBuilder.ipv4(server, 0xC612_0601, proto: 6, sourcePort: 80, destinationPort: 50000))
        #expect(answer.count == 2 && answer[0] == (80, 4, true) && answer[1] == (40000, 3, false))
    }

    @Test("A connection the kernel does not translate is not added; a removed one no longer matches")
    func untranslatedAndRemovedBindingsDoNotMatch() {
        var table = NATTable()
        let plain = NATBinding(proto: .udp, originalSource: Endpoint(address: host, port: 1), originalDestination: Endpoint(address: host, port: 2),
                               replySource: Endpoint(address: host, port: 2), replyDestination: Endpoint(address: host, port: 1))
        table.insert(plain)
        #expect(table.isEmpty)
        table.insert(masquerade)
        #expect(table.views(proto: .tcp, source: masquerade.replyDestination, destination: masquerade.replySource) != nil)
        table.remove(masquerade)
        #expect(table.isEmpty && table.views(proto: .tcp, source: masquerade.replyDestination, destination: masquerade.replySource) == nil)
    }

    @Test("A port forward's first SYN, captured before the kernel reported the translation, is re-keyed to the server's own tuple")
    func synBeforeTheTranslationIsRekeyed() throws {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([host])),
                                     attributor: attributor)
        session.namespaces = TwoNamespaces()
        // 198.18.6.2:34000 (namespace #4) connects to the host's 198.18.6.1:8080, forwarded to 198.18.5.2:80 (#3).
        session.ingest(FrameBuilder.ipv4(server, 0xC612_0601, proto: 6, sourcePort: 34000, destinationPort: 8080, flags: 0x02), at: 1)
        #expect(attributor.requests.map { ($0.key.local.port, $0.key.namespace) }.contains { $0 == (8080, 0) })
        session.translationAppeared(NATBinding(
            proto: .tcp, originalSource: Endpoint(address: IPAddress(ipv4: server), port: 34000),
            originalDestination: Endpoint(address: host, port: 8080),
            replySource: Endpoint(address: IPAddress(ipv4: container), port: 80),
            replyDestination: Endpoint(address: IPAddress(ipv4: server), port: 34000)))
        let last = try #require(attributor.requests.last)
        #expect(last.key.local.port == 80 && last.key.namespace == 3 && !last.firstFrameOutgoing)
        #expect(last.conversation == attributor.requests.first { $0.key.local.port == 8080 }?.conversation)
    }
}
