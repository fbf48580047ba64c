@testable import ProcscopeCore
import Testing

/// The process fields Wireshark reads in an annotated pcapng: every packet's `epb_processid_threadid` (the
/// sender's pid, else the receiver's), and with `--process-blocks` one process information block per process
/// and file, before its first packet, carrying what procscope knows of the process.
@Suite struct WiresharkProcessFieldTests {
    typealias Fixture = AnnotatedCaptureRoundTripTests

    /// Writes `Fixture.liveSession` to memory, with or without process blocks, one file per `limit` bytes.
    func written(processBlocks: Bool, limit: Int = .max) -> (files: [[UInt8]], session: CaptureSession) {
        let writer = AnnotatedCaptureWriter(processBlocks: processBlocks), output = Fixture.MemoryOutput()
        output.header = AnnotatedCaptureWriter.header(linkType: .raw, snapLength: 256, interface: "lo", filter: nil)
        output.write(output.header)
        output.limit = limit == .max ? .max : output.header.count + limit
        let (session, info) = Fixture().liveSession(writer: writer, output: output)
        writer.finish(session, capture: info, now: Timestamp(microseconds: 6_000), to: output)
        return (output.files, session)
    }

    /// Each frame's process id, and the process the file had described for it by then (nil: not described).
    func frames(of file: [UInt8]) throws -> [(pid: Int32, described: String?)] {
        try file.withUnsafeBytes { bytes in
            var reader = try PcapngFileReader(bytes)
            var frames: [(Int32, String?)] = []
            while let frame = try reader.next() {
                frames.append((frame.processID,
                               reader.wiresharkProcesses.process(pid: frame.processID, at: frame.time)?.name))
            }
            return frames
        }
    }

    /// The bodies of the file's Wireshark custom blocks.
    func processBlocks(of file: [UInt8]) throws -> [[UInt8]] {
        try file.withUnsafeBytes { bytes in
            var reader = try PcapngFileReader(bytes)
            var bodies: [[UInt8]] = []
            while reader.offset < bytes.count {
                let (type, body) = try reader.nextBlock()
                if type == WiresharkProcessBlock.customBlockType { bodies.append(Array(body)) }
            }
            return bodies
        }
    }

    @Test("Each packet carries its sender's pid, else its receiver's, and 0 when neither is known")
    func packetsCarryTheirProcessID() throws {
        let (files, _) = written(processBlocks: false)
        let pids = try frames(of: files[0]).map(\.pid)
        // SYN (curl > nginx), SYN-ACK (nginx > curl), dig's datagram (answered after it was written: 0), the
        // answer to an unknown port, the undecodable frame, the fragment, the port unreachable (rx of the
        // unseen sender), dig's second datagram.
        #expect(pids == [10, 20, 0, 0, 0, 0, 0, 30])
        #expect(try processBlocks(of: files[0]).isEmpty, "no process blocks unless asked")
    }

    @Test("With process blocks each process is described once, before its first packet, in every rotated file")
    func processesDescribedBeforeTheirPackets() throws {
        let (single, _) = written(processBlocks: true)
        let described = try frames(of: single[0])
        #expect(described.filter { $0.pid != 0 }.allSatisfy { $0.described != nil }, "\(described)")
        #expect(described.map(\.described) == ["curl", "nginx", nil, nil, nil, nil, nil, "dig"])
        #expect(try processBlocks(of: single[0]).count == 3, "one block per process")

        let (rotated, _) = written(processBlocks: true, limit: 1)
        #expect(rotated.count == 8)
        #expect(try frames(of: rotated[1]).map(\.described) == ["nginx"], "the second file describes its own process")
        #expect(try processBlocks(of: rotated[1]).count == 1)
    }

    @Test("The block says the name, path, command line, parent, uid, user and start in Wireshark's codes")
    func blockCarriesTheIdentity() throws {
        var process = identity(4242, "curl")
        process.commandLine = ["curl", "-s", "http://example.test/"]
        process.parentPID = 1
        process.uid = 1000
        process.userName = "alice"
        process.startTime = Timestamp(microseconds: 1_700_000_000_123_456)
        let block = WiresharkProcessBlock.encode(process)
        #expect(Array(block.prefix(4)) == [0xAD, 0x0B, 0, 0], "a copyable custom block")
        var options: [UInt16: [UInt8]] = [:]
        try block.withUnsafeBytes { bytes in
            let body = UnsafeRawBufferPointer(rebasing: bytes[8..<(bytes.count - 4)])
            let little = FileByteOrder(swapped: false)
            #expect(little.u32(body, 0) == 32622 && little.u32(body, 4) == 3, "Wireshark's PEN, process entry")
            let entry = UnsafeRawBufferPointer(rebasing: body[12..<(12 + Int(little.u32(body, 8)))])
            #expect(little.u32(entry, 0) == 4242)
            PcapngFileReader.forEachOption(UnsafeRawBufferPointer(rebasing: entry[4...]), order: little) { code, value in
                options[code] = Array(value)
            }
            let decoded = try #require(WiresharkProcessBlock.decode(body, order: little))
            #expect(decoded == .init(pid: 4242, name: "curl", startNanoseconds: 1_700_000_000_123_456_000))
        }
        #expect(options[2] == Array("curl".utf8))
        #expect(options[3] == Array("/bin/curl".utf8))
        #expect(options[4] == Array("curl\0-s\0http://example.test/".utf8))
        #expect(options[5] == [1, 0, 0, 0])
        #expect(options[6] == [0xE8, 0x03, 0, 0])
        #expect(options[7] == Array("alice".utf8))
        #expect(options[9] == withUnsafeBytes(of: UInt64(1_700_000_000_123_456_000).littleEndian) { Array($0) })
    }

    @Test("A reused pid finds the block that had started by the packet's time; blocks without a start, the last")
    func reusedPIDsMatchByStartTime() {
        let table = WiresharkProcessTable()
        table.append(.init(pid: 500, name: "first", startNanoseconds: 10_000_000_000))
        table.append(.init(pid: 500, name: "second", startNanoseconds: 20_000_000_000))
        table.append(.init(pid: 600, name: "old", startNanoseconds: nil))
        table.append(.init(pid: 600, name: "new", startNanoseconds: nil))
        func name(_ pid: Int32, atSecond second: Int64) -> String? {
            table.process(pid: pid, at: Timestamp(microseconds: second * 1_000_000))?.name
        }
        #expect(name(500, atSecond: 15) == "first")
        #expect(name(500, atSecond: 25) == "second")
        #expect(name(500, atSecond: 5) == "first", "none had started: the earliest")
        #expect(name(600, atSecond: 1) == "new")
        #expect(name(700, atSecond: 1) == nil)
        #expect(table.process(pid: 500, at: Timestamp(microseconds: .max)) != nil, "no overflow at the end of time")
    }

    @Test("The report read back from a file with process blocks equals the live report")
    func processBlocksLeaveTheReplayAlone() throws {
        let (files, session) = written(processBlocks: true)
        let replayed = try Fixture().replay(files[0])
        #expect(replayed.processes.map(\.identity.pid) == [10, 20, 30])
        #expect(replayed.processes.map(\.identity.pid) == session.report(.init(interfaces: [], filter: nil, started: .zero,
                                                                               ended: .zero)).processes.map(\.identity.pid))
    }
}
