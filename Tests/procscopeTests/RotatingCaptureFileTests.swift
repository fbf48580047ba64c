import Foundation
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
