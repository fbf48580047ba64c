import Foundation
@testable import ProcscopeCore
import Testing

/// Frames read ahead (`PreparedFrame`) are counted exactly as frames counted one by one: handed over plain
/// (fields only) where counting reads no more of them, whole (bytes) otherwise, in a file's configuration and
/// a live one alike.
@Suite struct PreparedFrameTests {
    static let client: UInt32 = 0xC612_0001, server: UInt32 = 0xC612_0002, resolver: UInt32 = 0xC612_0035

    /// A DNS answer naming an address (Fixtures/dns/a.bin) as a datagram from the resolver to the client.
    static func dnsAnswer() throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let message = Array(try Data(contentsOf: root.appendingPathComponent("Fixtures/dns/a.bin")))
        var frame = FrameBuilder.ipv4(resolver, client, proto: 17, sourcePort: 53, destinationPort: 40000,
                                      payload: message.count)
        frame.replaceSubrange((frame.count - message.count)..., with: message)
        return frame
    }

    /// A UDP datagram in two IPv4 fragments: the first carries the ports, the later one only its data.
    static func fragments() -> [[UInt8]] {
        var first = FrameBuilder.ipv4(client, server, proto: 17, sourcePort: 5000, destinationPort: 6000, payload: 16)
        first[6] = 0x20 // more fragments, offset 0
        var later = first
        later[6] = 0x00
        later[7] = 0x03 // offset 24 bytes, the last fragment
        return [first, later]
    }

    /// Every kind of frame a file holds: both directions of TCP (with a SYN after a FIN on one tuple), UDP, an
    /// echo exchange, an ICMP error quoting a datagram, a DNS answer, a fragmented datagram.
    static func frames() throws -> [[UInt8]] {
        let datagram = FrameBuilder.ipv4(client, server, proto: 17, sourcePort: 5353, destinationPort: 9, payload: 4)
        return [
            FrameBuilder.ipv4(client, server, proto: 6, sourcePort: 40001, destinationPort: 443, flags: 0x02),
            FrameBuilder.ipv4(server, client, proto: 6, sourcePort: 443, destinationPort: 40001, flags: 0x12),
            FrameBuilder.ipv4(client, server, proto: 6, sourcePort: 40001, destinationPort: 443, payload: 100),
            FrameBuilder.ipv4(client, server, proto: 6, sourcePort: 40001, destinationPort: 443, flags: 0x11),
            FrameBuilder.ipv4(client, server, proto: 6, sourcePort: 40001, destinationPort: 443, flags: 0x02),
            datagram,
            FrameBuilder.icmpError(server, client, type: 3, code: 3, quoting: datagram),
            FrameBuilder.echo(client, server, request: true, id: 7),
            FrameBuilder.echo(server, client, request: false, id: 7),
            try dnsAnswer(),
            FrameBuilder.ipv4(client, resolver, proto: 17, sourcePort: 40000, destinationPort: 53, payload: 30),
        ] + fragments()
    }

    /// A session as a file is read (no local addresses, every flow `offline-capture`) or as a live capture runs
    /// (the client's address local, lookups recorded and left pending).
    static func session(live: Bool) -> CaptureSession {
        live ? CaptureSession(linkType: .raw,
                              configuration: SessionConfiguration(localAddresses: LocalAddressSet([IPAddress(ipv4: client)])),
                              attributor: RecordingAttributor())
            : CaptureSession(linkType: .raw, configuration: SessionConfiguration(localAddresses: nil),
                             attributor: FixedReasonAttributor(reason: .offlineCapture, detail: "a file"))
    }

    /// The session's report as JSON, after counting `frames` one by one or prepared (plain where allowed).
    static func report(_ frames: [[UInt8]], live: Bool, prepared plain: Bool?) throws -> String {
        let session = session(live: live)
        let times = frames.indices.map { Timestamp(microseconds: 1_000 + Int64($0) * 10) }
        if let plain {
            let slots = UnsafeMutablePointer<PreparedFrame>.allocate(capacity: frames.count)
            defer { slots.deallocate() }
            // The bytes of whole frames are read when they are counted: kept alive until then.
            let buffers = frames.map { frame -> UnsafeMutableRawBufferPointer in
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: frame.count, alignment: 8)
                buffer.copyBytes(from: frame)
                return buffer
            }
            defer { buffers.forEach { $0.deallocate() } }
            for (i, buffer) in buffers.enumerated() {
                PreparedFrame.prepare(slots + i, decoding: UnsafeRawBufferPointer(buffer), wireLength: buffer.count,
                                      at: times[i], with: session.decoder, plain: plain)
            }
            #expect(session.ingest(UnsafeBufferPointer(start: slots, count: frames.count)) == frames.count)
        } else {
            for (frame, time) in zip(frames, times) { session.ingest(frame, at: time.microseconds) }
        }
        var json: [UInt8] = []
        try session.report(.init(interfaces: ["file"], filter: nil, started: .zero, ended: .zero))
            .writeJSON { json += $0 }
        return String(decoding: json, as: UTF8.self)
    }

    @Test("Prepared frames, plain or whole, give the report that counting frame by frame gives",
          arguments: [false, true])
    func preparedCountsAsFrameByFrame(live: Bool) throws {
        let frames = try Self.frames()
        let oneByOne = try Self.report(frames, live: live, prepared: nil)
        #expect(try Self.report(frames, live: live, prepared: true) == oneByOne)
        #expect(try Self.report(frames, live: live, prepared: false) == oneByOne)
        #expect(oneByOne.contains("\"packets\":"), "the frames were counted")
    }

    @Test("Plain: TCP and UDP frames; whole: fragments, DNS answers, ICMP errors and echo, frames not IP")
    func whichFramesArePlain() throws {
        let decoder = FrameDecoder(linkType: .raw)
        func isPlain(_ frame: [UInt8], allowed: Bool = true) -> Bool {
            let slot = UnsafeMutablePointer<PreparedFrame>.allocate(capacity: 1)
            defer { slot.deallocate() }
            frame.withUnsafeBytes { bytes in
                PreparedFrame.prepare(slot, decoding: bytes, wireLength: bytes.count, at: .zero, with: decoder,
                                      plain: allowed)
            }
            return slot.pointee.isPlain
        }
        let tcp = FrameBuilder.ipv4(Self.client, Self.server, proto: 6, sourcePort: 1, destinationPort: 2)
        #expect(isPlain(tcp))
        #expect(isPlain(FrameBuilder.ipv4(Self.client, Self.server, proto: 17, sourcePort: 1, destinationPort: 2)))
        #expect(!isPlain(tcp, allowed: false), "a session that reads bytes gets every frame whole")
        #expect(!isPlain(try Self.dnsAnswer()))
        #expect(!isPlain(FrameBuilder.echo(Self.client, Self.server, request: true, id: 1)))
        #expect(!isPlain(FrameBuilder.icmpError(Self.server, Self.client, type: 3, code: 3, quoting: tcp)))
        #expect(Self.fragments().allSatisfy { !isPlain($0) })
        #expect(!isPlain([0x45, 0, 0]), "an undecodable frame")
    }

    @Test("A prepared frame fills one cache line")
    func oneCacheLine() {
        #expect(MemoryLayout<PreparedFrame>.stride == 64)
    }
}
