/// One frame through the decoder and a live-like session: byte 0 picks the link type, the rest is the frame.
/// Covers every link layer, VLAN tags, IPv6 extension headers, fragments, ICMP errors' quoted packets and
/// the accounting that follows (loopback, echo, fragments reassembly bookkeeping, DNS answers' names, the JSON
/// of the result).
enum FrameDecoderTarget {
    static let linkTypes: [LinkType] = [.ethernet, .raw, .linuxSLL, .linuxSLL2, .null, .loop, .ipv4, .ipv6,
                                        .rawOpenBSD, .rawFile]

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let first = input.first else { return }
        let linkType = linkTypes[Int(first) % linkTypes.count]
        let frame = UnsafeRawBufferPointer(rebasing: input[1...])
        let decoder = FrameDecoder(linkType: linkType)
        let decoded = decoder.decode(frame, wireLength: frame.count)
        if case .ip(let ip) = decoded, ip.isICMPError { _ = decoder.decodeQuoted(frame, of: ip) }
        // The same bytes as a DNS message (a UDP frame from port 53 reaches it through the session too).
        _ = DNSAnswers.parse(frame)
        // Twice through a session whose host owns 127.0.0.1, ::1 and 198.18.0.1: the second time finds the
        // conversation the first made.
        let local = LocalAddressSet([.ipv4Loopback, IPAddress(ipv4: 0xC612_0001), IPAddress(high: 0, low: 1)])
        let session = CaptureSession(linkType: linkType, configuration: SessionConfiguration(localAddresses: local),
                                     attributor: FixedReasonAttributor(reason: .ownerExited, detail: "fuzz"))
        session.ingest(frame, wireLength: frame.count, at: Timestamp(microseconds: 1))
        session.ingest(frame, wireLength: frame.count + 1, at: Timestamp(microseconds: 2))
        let prepared = UnsafeMutablePointer<PreparedFrame>.allocate(capacity: 2)
        defer { prepared.deallocate() }
        let time = Timestamp(microseconds: 3)
        PreparedFrame.prepare(prepared, decoding: frame, wireLength: frame.count, at: time, with: decoder, plain: true)
        prepared[1].time = time
        PreparedFrame.prepareDecoding(prepared + 1, frame, wireLength: frame.count, with: decoder, plain: true)
        precondition(prepared[0] == prepared[1], "the fast path and the decoder prepared the frame differently")
        _ = session.ingest(UnsafeBufferPointer(start: prepared, count: 1))
        _ = session.report(CaptureReport.CaptureInfo(interfaces: ["fuzz"], filter: nil, started: .zero,
                                                     ended: .zero)).json
    }
}
