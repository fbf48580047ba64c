@testable import ProcscopeCore
import Testing

/// `--ndjson`: a line per conversation when it changed, when it closed, and at the end; owners included.
@Suite struct ConversationStreamTests {
    let local = IPAddress(ipv4: 0xC612_0001)

    @Test("Updates for changed attributed conversations, nothing for unchanged or pending ones, final at the end")
    func eventsFollowTheConversations() throws {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                                     attributor: attributor)
        let stream = ConversationStream()
        session.ingest(FrameBuilder.ipv4(0xC612_0001, 0xC612_0002, proto: 17, sourcePort: 1000, destinationPort: 53, payload: 10), at: 1)
        #expect(stream.lines(session, now: .zero).isEmpty, "pending: waits for its owner")
        let request = try #require(attributor.requests.first)
        let owner = ProcessIdentity(pid: 42, startTime: .zero, name: "dig", executable: "/usr/bin/dig", commandLine: ["dig"],
                                    uid: 0, userName: "root", networkNamespace: 1, container: nil)
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(owner, .exactSocket, nil), resolvedAt: .zero))
        let first = String(decoding: stream.lines(session, now: .zero), as: UTF8.self)
        #expect(first.split(separator: "\n").count == 1 && first.contains(#""event":"update""#)
                && first.contains(#""owner":{"cmdline":["dig"],"container":null,"exe":"/usr/bin/dig","name":"dig","netns":1,"pid":42"#))
        #expect(stream.lines(session, now: .zero).isEmpty, "unchanged: no line")
        let final = String(decoding: stream.lines(session, now: .zero, final: true), as: UTF8.self)
        #expect(final.contains(#""event":"final""#))
        #expect(stream.lines(session, now: .zero, final: true).isEmpty, "a conversation ends once")
    }
}
