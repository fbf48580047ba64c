import ProcscopeCore

/// The pcapng file of `-w`, rotated by size with `-C MB` as tcpdump does: OUT, then OUT1, OUT2, ... each a
/// complete pcapng file starting with the same section and interface blocks.
final class RotatingCaptureFile {
    private let target: OutputTarget
    private let limit: Int?
    private var header: [UInt8] = []
    private var output: LineOutput
    private var written = 0
    private var index = 0

    /// `megabytes`: the size after which the next packet starts a new file (nil: one file).
    init(_ target: OutputTarget, megabytes: Int?) throws {
        self.target = target
        limit = megabytes.map { $0 * 1_000_000 }
        output = try LineOutput(target)
    }

    func start(header: [UInt8]) {
        self.header = header
        write(header)
    }

    func writePacket(_ block: [UInt8]) {
        if let limit, written + block.count > limit, written > header.count, !target.isStandardOutput {
            index += 1
            if let next = try? LineOutput(OutputTarget(argument: target.path + String(index))!) {
                output = next
                written = 0
                write(header)
            }
        }
        write(block)
    }

    private func write(_ bytes: [UInt8]) {
        output.write(bytes)
        written += bytes.count
    }
}
