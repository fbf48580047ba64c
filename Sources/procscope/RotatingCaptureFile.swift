import ProcscopeCore

/// The pcapng file of `-w`, rotated by size with `-C MB` as tcpdump does: OUT, then OUT1, OUT2, ... each a
/// complete pcapng file starting with the same section and interface blocks. Blocks are buffered and
/// written once per capture-loop turn (one write call, not one per packet).
final class RotatingCaptureFile: AnnotatedCaptureOutput {
    private let target: OutputTarget
    private let limit: Int?
    private var header: [UInt8] = []
    private var output: LineOutput
    private var written = 0
    private var index = 0
    private var buffer: [UInt8] = []

    /// `megabytes`: the size after which the next packet starts a new file (nil: one file).
    init(_ target: OutputTarget, megabytes: Int?) throws {
        self.target = target
        limit = megabytes.map { $0 * 1_000_000 }
        output = try LineOutput(target)
    }

    func start(header: [UInt8]) {
        self.header = header
        write(header)
        flush()
    }

    func startsNewFileIfFull() -> Bool {
        guard let limit, written >= limit, !target.isStandardOutput else { return false }
        flush()
        index += 1
        guard let next = try? LineOutput(OutputTarget(argument: target.path + String(index))!) else { return false }
        output = next
        written = 0
        write(header)
        return true
    }

    func write(_ block: [UInt8]) {
        buffer += block
        written += block.count
        if buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        output.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
