import Foundation
@testable import ProcscopeCore
import Testing

@Suite struct WireFormatTests {
    @Test("Addresses print as dotted quads and RFC 5952 compressed IPv6", arguments: [
        ([127, 0, 0, 1], "127.0.0.1"),
        ([0xfd, 0xbe, 0, 0xac] + [UInt8](repeating: 0, count: 11) + [1], "fdbe:ac::1"),
        ([UInt8](repeating: 0, count: 15) + [1], "::1"),
        ([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], "2001:db8:0:1:0:1:0:1"),
    ] as [([UInt8], String)])
    func addressesPrint(bytes: [UInt8], text: String) throws {
        #expect(try #require(IPAddress(bytes: bytes)).description == text)
    }

    @Test("Timestamps print as RFC 3339 UTC with microseconds")
    func timestampsPrint() {
        #expect(Timestamp(seconds: 1_700_000_000, microseconds: 42).rfc3339 == "2023-11-14T22:13:20.000042Z")
        #expect(Timestamp(microseconds: 0).rfc3339 == "1970-01-01T00:00:00.000000Z")
        #expect(Timestamp(seconds: 951_782_400, microseconds: 0).rfc3339 == "2000-02-29T00:00:00.000000Z")
        // A corrupt or crafted file's stamp anywhere in Int64's range is written, never a trap (the fuzzer found
        // Int64.min): outside years 1 to 9999, as the nearest instant RFC 3339 can write.
        #expect(Timestamp(microseconds: .min).rfc3339 == "0001-01-01T00:00:00.000000Z")
        #expect(Timestamp(microseconds: .max).rfc3339 == "9999-12-31T23:59:59.999999Z")
        #expect(Timestamp(microseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
        #expect(Timestamp(microseconds: .max).microseconds(since: Timestamp(microseconds: .min)) == .max)
        #expect(Timestamp(microseconds: .min).microseconds(since: Timestamp(microseconds: .max)) == .min)
        #expect(Timestamp(microseconds: 5).microseconds(since: Timestamp(microseconds: 7)) == -2)
    }

    @Test("JSON strings escape quotes, backslashes and control characters")
    func jsonIsEscaped() {
        var writer = JSONWriter()
        writer.object { w in
            w.key("a"); w.array { w in w.number(Int64(-1)); w.null(); w.bool(true); w.number(UInt64(1234567)) }
            w.key("b"); w.string("a\"b\\c\u{1b}[31m\n")
        }
        #expect(writer.text == #"{"a":[-1,null,true,1234567],"b":"a\"b\\c\u001b[31m\n"}"#)
    }

    @Test("The eight-bytes-at-a-time escape check agrees with the byte-by-byte one: every byte at every place")
    func wordEscapeCheckIsExact() {
        func byteNeedsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x7F || byte == 34 || byte == 92 }
        var mismatches = 0
        for filler: UInt8 in [0x61, 0x20, 0x7E, 0x80, 0xFF, 0x21, 0x5D] {
            for byte in 0...UInt8.max {
                for place in 0..<8 {
                    var word = [UInt8](repeating: filler, count: 8)
                    word[place] = byte
                    let packed = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                    if JSONWriter.needsEscape(packed) != word.contains(where: byteNeedsEscape) { mismatches += 1 }
                }
            }
        }
        #expect(mismatches == 0)
        // Strings of every length around the word size, the escape at each place: the same text either way.
        for length in 1...20 {
            for place in 0..<length {
                var text = String(repeating: "x", count: length)
                text.replaceSubrange(text.index(text.startIndex, offsetBy: place)...text.index(text.startIndex, offsetBy: place),
                                     with: "\"")
                var writer = JSONWriter()
                writer.string(text)
                #expect(writer.text == "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\"")
            }
        }
    }

    @Test("Numbers keep every digit and their minimum width, at the ends of UInt64 and of each digit count")
    func decimalDigits() {
        for value: UInt64 in [0, 9, 10, 99, 100, 999_999, 1_000_000, 9_999_999_999_999_999_999, 10_000_000_000_000_000_000,
                              .max] {
            var text: [UInt8] = []
            value.appendDecimal(to: &text)
            #expect(String(decoding: text, as: UTF8.self) == String(value))
            let buffer = ByteBuffer(capacity: 1)
            var sink = buffer
            value.appendDecimal(to: &sink, minimumDigits: 6)
            let padded = String(value).count < 6 ? String(repeating: "0", count: 6 - String(value).count) + String(value) : String(value)
            #expect(buffer.withBytes { String(decoding: $0, as: UTF8.self) } == padded)
        }
    }

    @Test("Untrusted names lose their control characters before reaching a terminal")
    func terminalSafeText() {
        #expect(TerminalSafe.text("evil\u{1b}]0;title\u{07}name\u{9b}") == "evil?]0;title?name?")
    }

    @Test("The conversation table finds, ends and keeps finding keys across growth, deletions and slot reuse")
    func conversationTableSurvivesChurn() {
        let table = ConversationTable(capacity: 4)
        func key(_ i: Int) -> FlowKey {
            FlowKey(proto: .udp, local: Endpoint(address: IPAddress(ipv4: UInt32(i)), port: UInt16(i & 0xFFFF)),
                    remote: Endpoint(address: .ipv4Loopback, port: 9), hasPorts: true)
        }
        for i in 0..<5000 { _ = table.add(Conversation(key: key(i), firstSeen: .zero)) }
        for i in stride(from: 0, to: 5000, by: 2) { table.retire(Int32(i)) }
        #expect(table.indexedCount == 2500 && table.liveCount == 2500)
        #expect((0..<5000).allSatisfy { i in (table.find(key(i)) != nil) == (i % 2 == 1) })
        // New conversations take retired slots, and are found there.
        let reused = table.add(Conversation(key: key(10_000), firstSeen: .zero))
        #expect(reused % 2 == 0 && table.slotCount == 5000 && table.find(key(10_000)) == reused)
    }

    @Test("A conversation record is 128 bytes: two cache lines in the table, as its cache hints assume")
    func conversationRecordIsTwoCacheLines() {
        #expect(MemoryLayout<Conversation>.stride == 128)
    }

    @Test("A flow is found from either end in one probe; its own orientation wins when both exist")
    func findEitherWay() {
        let table = ConversationTable()
        let forward = FlowKey(proto: .tcp, local: Endpoint(address: IPAddress(ipv4: 1), port: 1000),
                              remote: Endpoint(address: IPAddress(ipv4: 2), port: 80), hasPorts: true)
        #expect(forward.symmetricHash == forward.reversed.symmetricHash)
        #expect(forward.symmetricHash != forward.in(1).symmetricHash)
        let first = table.add(Conversation(key: forward, firstSeen: .zero))
        #expect(table.findEitherWay(forward.reversed).map { [$0.slot, $0.reversed ? 1 : 0] } == [first, 1])
        let second = table.add(Conversation(key: forward.reversed, firstSeen: .zero))
        #expect(table.findEitherWay(forward.reversed).map { [$0.slot, $0.reversed ? 1 : 0] } == [second, 0])
        #expect(table.findEitherWay(forward).map { [$0.slot, $0.reversed ? 1 : 0] } == [first, 0])
    }

    @Test("A frame seen again on another interface within the window is a duplicate; a retransmission is not")
    func duplicatesAcrossInterfaces() {
        var filter = DuplicateFrameFilter()
        let frame = FrameBuilder.ipv4(1, 2, proto: 17, sourcePort: 1, destinationPort: 2)
        func seen(on interface: UInt32, at micros: Int64) -> Bool {
            frame.withUnsafeBytes { filter.isDuplicate(ipHeader: $0, ipOffset: 0, ipVersion: 4, interfaceIndex: interface, at: Timestamp(microseconds: micros)) }
        }
        let first = seen(on: 3, at: 0), copy = seen(on: 4, at: 10), retransmission = seen(on: 3, at: 20)
        #expect(!first && copy && !retransmission)
    }
}
