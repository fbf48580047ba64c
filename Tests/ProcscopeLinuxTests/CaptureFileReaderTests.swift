import ProcscopeCore
import ProcscopeLinux
import Testing

/// procscope's own pcap/pcapng readers (mapped, no libpcap per frame) against the fixtures and against
/// libpcap itself.
@Suite struct CaptureFileReaderTests {
    struct Frame: Equatable, CustomStringConvertible {
        let bytes: [UInt8]
        let wireLength: Int
        let time: Timestamp
        var description: String { "\(bytes.count)/\(wireLength) bytes at \(time)" }
    }

    static func read(_ source: CaptureSource) throws -> [Frame] {
        var frames: [Frame] = []
        while try source.dispatch(limit: 7, { bytes, length, time in
            frames.append(Frame(bytes: Array(bytes), wireLength: length, time: time))
        }) != nil {}
        return frames
    }

    static func mapped(_ name: String) throws -> CaptureFileSource {
        try #require(try CaptureFileSource(path: Fixture.path("pcap/" + name), filter: nil))
    }

    @Test("Every fixture reads the same frames, lengths and timestamps as libpcap reads", arguments: [
        "ethernet-arp.pcap", "ethernet-icmp-echo.pcap", "ethernet-ipv4-fragments.pcap",
        "ethernet-ipv4-options-sctp.pcap", "ethernet-ipv4-tcp.pcap", "ethernet-ipv4-tso-zero-length.pcap",
        "ethernet-ipv6-fragments.pcap", "ethernet-malformed.pcap", "ethernet-vlan-qinq-ipv4-udp.pcap",
        "loop-ipv6-udplite.pcap", "null-ipv4-udp.pcap", "pcapng-ethernet-ipv4-tcp.pcapng",
        "raw-ipv6-extension-headers-tcp.pcap", "sll-ipv6-udp-outgoing.pcap", "sll2-ipv4-tcp-ifindex.pcap",
        "big-endian-nanosecond.pcap", "apple-process-information.pcapng", "ptcpdump-comments.pcapng",
        // Not pcapng-two-sections-both-byte-orders.pcapng: libpcap 1.10 cannot read a second section in the
        // other byte order; `clocksAndSimplePackets` checks it against tshark's values.
    ])
    func readsLikeLibpcap(_ name: String) throws {
        let ours = try Self.read(try Self.mapped(name))
        let libpcap = try Self.read(try PcapCaptureSource.file(path: Fixture.path("pcap/" + name), filter: nil))
        #expect(!ours.isEmpty)
        #expect(ours == libpcap)
    }

    @Test("Nanosecond, millisecond and offset clocks become microseconds; simple packet blocks are read")
    func clocksAndSimplePackets() throws {
        let frames = try Self.read(try Self.mapped("pcapng-two-sections-both-byte-orders.pcapng"))
        #expect(frames.map(\.time.microseconds) == [1_700_000_000_123_456, 1_700_000_011_250_000, 0])
        #expect(frames.map(\.wireLength) == [47, 47, 47])
        let pcap = try Self.read(try Self.mapped("big-endian-nanosecond.pcap"))
        #expect(pcap.map(\.time.microseconds) == [1_700_000_000_123_456])
        #expect(pcap.map(\.wireLength) == [147])
    }

    @Test("A damaged pcapng block is reported with its offset after the frames before it were delivered")
    func damagedBlockIsReportedAfterGoodFrames() throws {
        let source = try Self.mapped("corrupt-pcapng-trailer.pcapng")
        var delivered = 0
        #expect {
            while try source.dispatch(limit: 100, { _, _, _ in delivered += 1 }) != nil {}
        } throws: { error in
            "\(error)".contains("corrupt at byte 128") && "\(error)".contains("trailing length")
        }
        #expect(delivered == 1)
    }

    @Test("A truncated pcap record is reported with the bytes it needed")
    func truncatedRecordIsExplained() throws {
        let source = try Self.mapped("corrupt-truncated-record.pcap")
        #expect {
            while try source.dispatch(limit: 100, { _, _, _ in }) != nil {}
        } throws: { error in "\(error)".contains("truncated") && "\(error)".contains("needs 1516 bytes") }
    }

    @Test("A pcapng file mixing link types is refused with a way out")
    func mixedLinkTypesAreRefused() throws {
        let source = try Self.mapped("pcapng-mixed-link-types.pcapng")
        #expect {
            while try source.dispatch(limit: 100, { _, _, _ in }) != nil {}
        } throws: { error in "\(error)".contains("mixes link types EN10MB and RAW") }
    }

    @Test("Files only libpcap understands, and streams, are left to libpcap")
    func notRecognizedFallsBack() throws {
        #expect(try CaptureFileSource(path: Fixture.path("pcap/not-a-capture.pcap"), filter: nil) == nil)
        #expect(try CaptureFileSource(path: "/dev/stdin", filter: nil) == nil)
    }

    @Test("The filter applies to mapped files as libpcap applies it", arguments: [
        "tcp[tcpflags] & tcp-syn != 0", "udp", "icmp or icmp6", "ip6", "vlan and udp port 53",
    ])
    func filterAppliesToMappedFiles(_ filter: String) throws {
        for name in ["ethernet-ipv4-tcp.pcap", "ethernet-icmp-echo.pcap", "ethernet-vlan-qinq-ipv4-udp.pcap"] {
            let path = Fixture.path("pcap/" + name)
            let ours = try Self.read(try #require(try CaptureFileSource(path: path, filter: filter)))
            let libpcap = try Self.read(try PcapCaptureSource.file(path: path, filter: filter))
            #expect(ours == libpcap, "\(name) with \(filter)")
        }
    }

    @Test("Apple's process information blocks name each packet's process by index; none and a missing index name none")
    func appleProcessBlocksNameProcesses() throws {
        let source = try Self.mapped("apple-process-information.pcapng")
        var owners: [String?] = []
        while try source.dispatch(limit: 3, { _, _, _ in owners.append(source.currentRecordedOwner) }) != nil {}
        #expect(owners == ["77/curl?[2J", "501/Safari", nil, nil], "the name is defused")
    }

    @Test("ptcpdump's first comment names the owner (PID and Cmd); no comment or another tool's comment names none")
    func ptcpdumpCommentsNameProcesses() throws {
        let source = try Self.mapped("ptcpdump-comments.pcapng")
        var owners: [String?] = []
        while try source.dispatch(limit: 3, { _, _, _ in owners.append(source.currentRecordedOwner) }) != nil {}
        #expect(owners == ["4321/curl", nil, nil, "99/?]0;x?"], "the name is defused")
    }

    @Test("Wireshark's process blocks name each packet's process id: a reused id by start time, in either byte order")
    func wiresharkProcessBlocksNameProcesses() throws {
        let source = try Self.mapped("wireshark-process-information.pcapng")
        var owners: [String?] = []
        while try source.dispatch(limit: 3, { _, _, _ in owners.append(source.currentRecordedOwner) }) != nil {}
        // Another enterprise's custom block and another entry type describe nothing: their pids stay bare.
        #expect(owners == ["500/first", "500/second", "500/first", "600/new", "700", nil, "800", "900", "77/sshd?[2J"])
    }
}
