@testable import ProcscopeCore
import Testing

/// Frames read ahead (`PreparedFrame`) are counted exactly as frames counted one by one: handed over plain
/// (fields only) where counting reads no more of them, whole (bytes) otherwise, in a file's configuration and
/// a live one alike.
@Suite struct PreparedFrameTests {
    static let client: UInt32 = 0xC612_0001, server: UInt32 = 0xC612_0002, resolver: UInt32 = 0xC612_0035

    /// A DNS answer naming an address (Fixtures/dns/a.bin) as a datagram from the resolver to the client.
    static func dnsAnswer() throws -> [UInt8] {
        let names = RemoteNameTests()
        return names.datagram(try names.message("a.bin"))
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

    /// What a prepared frame says, for comparing two ways of preparing one frame.
    static func fields(_ frame: PreparedFrame) -> String {
        frame.isPlain ? "plain \(frame.sentKey) \(frame.ipLength) \(frame.tcpFlags) \(frame.packetType.rawValue) "
            + "\(frame.icmpType) \(frame.hash) \(frame.time)"
            : "whole \(frame.bytes.baseAddress.map { UInt(bitPattern: $0) } ?? 0) \(frame.bytes.count) \(frame.wireLength)"
    }

    /// Ethernet frames of every shape near the fast path's edges: IPv4 with and without options, a fragment, a
    /// TSO length of 0, IPv6 with an extension header, TCP and UDP, a DNS answer, ICMP, ARP, a VLAN tag.
    static func ethernetFrames() throws -> [[UInt8]] {
        let header: [UInt8] = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]
        func ethernet(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] { header + FrameBuilder.be16(type) + payload }
        let tcp = FrameBuilder.ipv4(client, server, proto: 6, sourcePort: 40001, destinationPort: 443, flags: 0x18, payload: 20)
        var options = tcp
        options[0] = 0x46
        options.insert(contentsOf: [1, 1, 1, 0], at: 20) // a 24-byte header: NOP, NOP, NOP, end of list
        options[3] &+= 4
        var tso = tcp
        tso[2] = 0
        tso[3] = 0
        let udp = FrameBuilder.ipv4(client, server, proto: 17, sourcePort: 5000, destinationPort: 6000, payload: 30)
        let ipv6Header: (UInt8, Int) -> [UInt8] = { next, payload in
            [0x60, 0, 0, 0] + FrameBuilder.be16(UInt16(payload)) + [next, 64]
                + [UInt8](repeating: 0x20, count: 15) + [1] + [UInt8](repeating: 0x20, count: 15) + [2]
        }
        let tcp6Segment = FrameBuilder.be16(40002) + FrameBuilder.be16(80) + [UInt8](repeating: 0, count: 9) + [0x02]
            + [UInt8](repeating: 0, count: 6)
        let tcp6 = ipv6Header(6, tcp6Segment.count) + tcp6Segment
        let withHopByHop = ipv6Header(0, 8 + tcp6Segment.count) + [6, 0, 1, 4, 0, 0, 0, 0] + tcp6Segment
        return [
            ethernet(0x0800, tcp), ethernet(0x0800, options), ethernet(0x0800, tso), ethernet(0x0800, udp),
            ethernet(0x0800, fragments()[0]), ethernet(0x0800, fragments()[1]), ethernet(0x0800, try dnsAnswer()),
            ethernet(0x0800, FrameBuilder.echo(client, server, request: true, id: 3)),
            ethernet(0x86DD, tcp6), ethernet(0x86DD, withHopByHop),
            ethernet(0x0806, [UInt8](repeating: 1, count: 28)),
            header + [0x81, 0x00, 0, 5] + FrameBuilder.be16(0x0800) + udp,
        ]
    }

    @Test("The Ethernet fast path prepares every frame as the general decoder does, damaged ones included")
    func ethernetFastPathMatchesDecoder() throws {
        let decoder = FrameDecoder(linkType: .ethernet)
        let fast = UnsafeMutablePointer<PreparedFrame>.allocate(capacity: 1)
        let general = UnsafeMutablePointer<PreparedFrame>.allocate(capacity: 1)
        defer { fast.deallocate(); general.deallocate() }
        var plainCount = 0, checked = 0
        func compare(_ frame: [UInt8]) {
            frame.withUnsafeBytes { bytes in
                let time = Timestamp(microseconds: 42)
                PreparedFrame.prepare(fast, decoding: bytes, wireLength: bytes.count + 4, at: time, with: decoder,
                                      plain: true)
                general.pointee.time = time
                PreparedFrame.prepareDecoding(general, bytes, wireLength: bytes.count + 4, with: decoder, plain: true)
                #expect(fast.pointee == general.pointee, "\(Self.fields(fast.pointee)) against \(Self.fields(general.pointee))")
                if fast.pointee.isPlain { plainCount += 1 }
                checked += 1
            }
        }
        let frames = try Self.ethernetFrames()
        frames.forEach(compare)
        // Damaged copies: a few bytes of the headers changed, the frame cut short (a fixed seed: reproducible).
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<20_000 {
            var frame = frames[Int(random.next() % UInt64(frames.count))]
            for _ in 0...(random.next() % 3) {
                let at = Int(random.next() % UInt64(min(frame.count, 80)))
                frame[at] = UInt8(truncatingIfNeeded: random.next())
            }
            if random.next() % 4 == 0 { frame.removeLast(Int(random.next() % UInt64(frame.count))) }
            compare(frame)
        }
        #expect(checked == frames.count + 20_000)
        #expect(plainCount > 1_000, "the fast path was taken")
    }
}

/// A small deterministic generator for damaged copies (SplitMix64).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension PreparedFrameTests {
    /// A live session on Ethernet with both the client and the server local (as on loopback): each frame is
    /// its sender's tx and its receiver's rx.
    static func loopbackReport(_ frames: [[UInt8]], general: Bool) throws -> String {
        let local = LocalAddressSet([IPAddress(ipv4: client), IPAddress(ipv4: server)])
        let session = CaptureSession(linkType: .ethernet, configuration: SessionConfiguration(localAddresses: local),
                                     attributor: RecordingAttributor())
        for (i, frame) in frames.enumerated() {
            let time = Timestamp(microseconds: 1_000 + Int64(i) * 10)
            frame.withUnsafeBytes { bytes in
                if general {
                    session.ingest(session.decoder.decode(bytes, wireLength: bytes.count), bytes, wireLength: bytes.count, at: time)
                } else {
                    session.ingest(bytes, wireLength: bytes.count, at: time)
                }
            }
        }
        var json: [UInt8] = []
        try session.report(.init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero)).writeJSON { json += $0 }
        return String(decoding: json, as: UTF8.self)
    }

    @Test("Live Ethernet frames counted through the fast path, both ends of loopback found in one probe, give the general decoder's report")
    func liveEthernetFastPathCountsAsTheDecoder() throws {
        let header: [UInt8] = [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00]
        // Every kind of frame, each twice (the second time both ends' conversations are live), then the edges.
        // A socket sending to itself: one conversation, its own tx and rx.
        let toItself = FrameBuilder.ipv4(Self.client, Self.client, proto: 17, sourcePort: 5000, destinationPort: 5000, payload: 8)
        let frames = try (Self.frames() + Self.frames() + [toItself, toItself, toItself]).map { header + $0 }
            + Self.ethernetFrames()
        let general = try Self.loopbackReport(frames, general: true)
        #expect(try Self.loopbackReport(frames, general: false) == general)
        #expect(general.contains("\"tx\":") && general.contains("\"rx\":"), "the frames were counted")
    }
}
