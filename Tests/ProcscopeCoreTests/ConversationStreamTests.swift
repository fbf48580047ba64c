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
                                    uid: 0, userName: "root", networkNamespace: 1, cgroup: nil)
        session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                        attribution: .process(owner, .exactSocket, nil), resolvedAt: .zero))
        let first = String(decoding: stream.lines(session, now: .zero), as: UTF8.self)
        #expect(first.split(separator: "\n").count == 1 && first.contains(#""event":"update""#)
                && first.contains(#""owner":{"cgroup":null,"cmdline":["dig"],"container":null,"exe":"/usr/bin/dig","name":"dig","netns":1,"parent":null,"pid":42"#))
        #expect(stream.lines(session, now: .zero).isEmpty, "unchanged: no line")
        let final = String(decoding: stream.lines(session, now: .zero, final: true), as: UTF8.self)
        #expect(final.contains(#""event":"final""#))
        #expect(stream.lines(session, now: .zero, final: true).isEmpty, "a conversation ends once")
    }

    @Test("Every line names its schema, and a conversation's lines share an id that the other end's do not")
    func linesCarryASchemaAndAStableID() throws {
        let attributor = RecordingAttributor()
        let session = CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: LocalAddressSet([local])),
                                     attributor: attributor)
        let stream = ConversationStream()
        func lines() throws -> [[String: Any]] {
            try String(decoding: stream.lines(session, now: .zero), as: UTF8.self).split(separator: "\n").map { line in
                let id = try #require(line.firstRange(of: #""id":""#)).upperBound
                let schema = try #require(line.firstRange(of: #""schema":""#)).upperBound
                return ["id": String(line[id...].prefix(16)), "schema": String(line[schema...].prefix { $0 != "\"" })]
            }
        }
        // Local to local: the sender's and the receiver's conversations of one flow.
        let frame = FrameBuilder.ipv4(0xC612_0001, 0xC612_0001, proto: 17, sourcePort: 1000, destinationPort: 53, payload: 10)
        session.ingest(frame, at: 1)
        for request in attributor.requests {
            session.apply(AttributionResult(conversation: request.conversation, key: request.key,
                                            attribution: .process(identity(Int32(40 + request.conversation)), .exactSocket, nil),
                                            resolvedAt: .zero))
        }
        let first = try lines()
        session.ingest(frame, at: 2)
        let second = try lines()
        #expect(first.count == 2 && second.count == 2)
        #expect(Set(first.map { $0["schema"] as? String }) == ["procscope-ndjson/1"])
        #expect(first.map { $0["id"] as? String } == second.map { $0["id"] as? String }, "the same id in later lines")
        #expect(Set(first.compactMap { $0["id"] as? String }).count == 2, "the two ends differ")
    }
}

