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
    /// The first write that failed; nothing more is written after it (the capture stops at the turn's end).
    private(set) var failure: OutputFailure?
    /// A new section began (`reopen`): the next packet's records must be written again.
    private var sectionRestarted = false

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

    /// SIGHUP: what is buffered goes to the file as it was; then the file is opened again by its name and a new
    /// section begins there (its own header and interface; pcapng allows several sections in a file, so if
    /// nothing moved the file it simply goes on).
    func reopen() {
        flush()
        guard failure == nil, !target.isStandardOutput else { return }
        do { try output.reopen() } catch {
            failure = error as? OutputFailure
            return
        }
        written = 0
        write(header)
        flush()
        sectionRestarted = true
    }

    func startsNewFileIfFull() -> Bool {
        if sectionRestarted {
            sectionRestarted = false
            return true
        }
        guard let limit, written >= limit, !target.isStandardOutput else { return false }
        flush()
        index += 1
        do {
            output = try LineOutput(OutputTarget(argument: target.path + String(index))!)
        } catch {
            failure = failure ?? (error as? OutputFailure)
            return false
        }
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
        if failure == nil {
            do { try output.write(buffer) } catch { failure = error as? OutputFailure }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
