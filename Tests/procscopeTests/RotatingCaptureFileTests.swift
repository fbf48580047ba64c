import Foundation
import ProcscopeCore
@testable import procscope
import Testing

/// `-w OUT -C MB`: like tcpdump, a packet that finds the file already past the limit starts a new complete
/// pcapng file (OUT1, OUT2, ...).
@Suite struct RotatingCaptureFileTests {
    @Test("The packet after the file passed 1 MB goes to OUT1, which starts with the same header")
    func rotatesBySize() throws {
        let base = NSTemporaryDirectory() + "procscope-rotate-\(getpid()).pcapng"
        defer { for suffix in ["", "1", "2"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        let file = try RotatingCaptureFile(try #require(OutputTarget(argument: base)), megabytes: 1)
        let header: [UInt8] = [0x0A, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 1, count: 28)
        file.start(header: header)
        let packet = [UInt8](repeating: 7, count: 400_000)
        var rotations = 0
        for _ in 0..<4 {
            if file.startsNewFileIfFull() { rotations += 1 }
            file.write(packet)
        }
        file.flush()
        let first = try Data(contentsOf: URL(fileURLWithPath: base))
        let second = try Data(contentsOf: URL(fileURLWithPath: base + "1"))
        #expect(rotations == 1)
        #expect(first.count == header.count + 3 * packet.count, "the third packet still finds the file under 1 MB")
        #expect(second.count == header.count + packet.count)
        #expect(Array(second.prefix(header.count)) == header)
        #expect(!FileManager.default.fileExists(atPath: base + "2"))
    }
}

/// `-G`, `-W` and their combinations with `-C`, named and counted as tcpdump names and counts them.
extension RotatingCaptureFileTests {
    final class FakeClock: @unchecked Sendable {
        var now = 1_700_000_000
    }

    static let header: [UInt8] = [0x0A, 0x0D, 0x0D, 0x0A] + [UInt8](repeating: 1, count: 28)

    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "procscope-rotate-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("Names: -W pads the count to the digits its largest count needs; -G expands the strftime format")
    func namesFollowTcpdump() {
        #expect(CaptureFileNames.digits(for: 1) == 0 && CaptureFileNames.digits(for: 3) == 1
                && CaptureFileNames.digits(for: 10) == 1 && CaptureFileNames.digits(for: 11) == 2
                && CaptureFileNames.digits(for: 100) == 2)
        let sized = CaptureFileNames(template: "out.pcapng", timed: false, sized: true, fileCount: nil)
        #expect(sized.name(count: 0, at: 0) == "out.pcapng" && sized.name(count: 2, at: 0) == "out.pcapng2")
        let ring = CaptureFileNames(template: "out", timed: false, sized: true, fileCount: 12)
        #expect(ring.name(count: 0, at: 0) == "out00" && ring.name(count: 11, at: 0) == "out11")
        setenv("TZ", "UTC", 1)
        tzset()
        let timed = CaptureFileNames(template: "t-%Y%m%d-%H%M%S.pcapng", timed: true, sized: false, fileCount: 3)
        #expect(timed.name(count: 0, at: 1_700_000_000) == "t-20231114-221320.pcapng", "no count with -G alone")
        let both = CaptureFileNames(template: "t-%H%M%S-", timed: true, sized: true, fileCount: nil)
        #expect(both.name(count: 0, at: 1_700_000_000) == "t-221320-" && both.name(count: 3, at: 1_700_000_000) == "t-221320-3")
    }

    @Test("-G 1 -W 3: a new strftime-named file each second, each starting with the header, then the limit")
    func rotatesByTimeUntilTheFileLimit() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        setenv("TZ", "UTC", 1)
        tzset()
        let clock = FakeClock()
        let file = try RotatingCaptureFile(try #require(OutputTarget(argument: directory + "/t-%H%M%S")), megabytes: nil,
                                           seconds: 1, fileCount: 3, clock: { Timestamp(seconds: Int64(clock.now), microseconds: 0) })
        file.start(header: Self.header)
        var rotations = 0
        for step in 0..<8 {
            clock.now = 1_700_000_000 + step / 2 // two packets a second
            if file.startsNewFileIfFull() { rotations += 1 }
            if !file.fileLimitReached { file.write([UInt8(step)]) }
        }
        file.flush()
        #expect(rotations == 2 && file.fileLimitReached)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(names == ["t-221320", "t-221321", "t-221322"])
        for (index, name) in names.enumerated() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
            #expect(Array(bytes) == Self.header + [UInt8(2 * index), UInt8(2 * index + 1)], "\(name)")
        }
    }

    @Test("-C 1 -W 2: a ring of OUT0 and OUT1, the third file written over the first")
    func sizeRotationWithACountIsARing() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = try RotatingCaptureFile(try #require(OutputTarget(argument: directory + "/ring")), megabytes: 1,
                                           fileCount: 2)
        file.start(header: Self.header)
        for step in 0..<3 {
            _ = file.startsNewFileIfFull()
            file.write([UInt8](repeating: UInt8(step), count: 1_000_001))
        }
        file.flush()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["ring0", "ring1"])
        let first = try Data(contentsOf: URL(fileURLWithPath: directory + "/ring0"))
        #expect(first.count == Self.header.count + 1_000_001 && first.last == 2, "the third file replaced the first")
        #expect(!file.fileLimitReached, "a size ring never ends the capture")
    }

    @Test("-G with -C: each period's files are counted from 0 again, padded for -W")
    func timeAndSizeTogetherCountWithinAPeriod() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        setenv("TZ", "UTC", 1)
        tzset()
        let clock = FakeClock()
        let file = try RotatingCaptureFile(try #require(OutputTarget(argument: directory + "/p%S-")), megabytes: 1,
                                           seconds: 10, fileCount: 5, clock: { Timestamp(seconds: Int64(clock.now), microseconds: 0) })
        file.start(header: Self.header)
        for step in 0..<4 {
            clock.now = 1_700_000_000 + (step < 2 ? 0 : 10)
            _ = file.startsNewFileIfFull()
            file.write([UInt8](repeating: UInt8(step), count: 1_000_001))
        }
        file.flush()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["p20-0", "p20-1", "p30-0", "p30-1"])
        #expect(!file.fileLimitReached, "-W with -C and -G only shapes the names, as in tcpdump")
    }
}
