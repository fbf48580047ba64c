import ProcscopeCore
import ProcscopeLinux

/// The pcapng file of `-w`, rotated as tcpdump rotates it, each file complete with the same section and
/// interface blocks:
/// - `-C MB`: a packet that finds the file past MB million bytes starts the next: OUT, OUT1, OUT2, ...; with
///   `-W N` the names are numbered from 0 and the N-th is followed by the first again (a ring).
/// - `-G SECONDS`: a packet that comes SECONDS or more after the file began starts a new one, named by the
///   strftime format OUT at that time; with `-W N` the capture ends after N files ("maximum file limit
///   reached"). tcpdump exits at once; here the last file also takes the rest of that capture-loop turn and
///   the packets still waiting for their owners, then the closing blocks, so nothing captured is lost. With
///   `-C` too, each period's files are counted from 0 again. Periods are measured from the moment their file
///   began, to the microsecond: tcpdump compares whole seconds of time(), so its first file may last only
///   until the next second begins.
/// Blocks are buffered and written once per capture-loop turn (one write call, not one per packet).
final class RotatingCaptureFile: AnnotatedCaptureOutput {
    private let target: OutputTarget
    private let limit: Int?
    private let period: Int?
    /// `-W`, for the message when `-G` has written its last file.
    let fileCount: Int?
    private let names: CaptureFileNames
    private let clock: () -> Timestamp
    private var header: [UInt8] = []
    private var output: LineOutput
    private var written = 0
    /// The count of the current file within its period (`-C`), and the periods begun so far (`-G`).
    private var index = 0
    private var periods = 0
    private var periodStart: Timestamp
    private var buffer: [UInt8] = []
    /// `-G` with `-W`: the last file has had its time; the capture stops at the end of the turn.
    private(set) var fileLimitReached = false
    /// The first write that failed; nothing more is written after it (the capture stops at the turn's end).
    private(set) var failure: OutputFailure?
    /// A new section began (`reopen`): the next packet's records must be written again.
    private var sectionRestarted = false

    /// `megabytes`: the size after which the next packet starts a new file; `seconds`: the time after which
    /// it does; `fileCount`: `-W` (nil: one file, or no limit). `clock` gives the wall time.
    init(_ target: OutputTarget, megabytes: Int?, seconds: Int? = nil, fileCount: Int? = nil,
         clock: @escaping () -> Timestamp = wallClockNow) throws {
        self.target = target
        limit = megabytes.map { $0 * 1_000_000 }
        period = seconds
        self.fileCount = fileCount
        self.clock = clock
        names = CaptureFileNames(template: target.path, timed: seconds != nil, sized: megabytes != nil, fileCount: fileCount)
        periodStart = clock()
        output = try LineOutput(target.isStandardOutput ? target
                                : OutputTarget(argument: names.name(count: 0, at: Int(periodStart.microseconds / 1_000_000)))!)
    }

    func start(header: [UInt8]) {
        // The first period begins with the capture (the file was opened before, to refuse a bad path early).
        periodStart = clock()
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
        guard !target.isStandardOutput, !fileLimitReached else { return false }
        if let period {
            let now = clock()
            if now.microseconds(since: periodStart) >= Int64(period) * 1_000_000 {
                periods += 1
                if limit == nil, let fileCount, periods >= fileCount {
                    fileLimitReached = true
                    return false
                }
                periodStart = now
                index = 0
                return open(names.name(count: 0, at: Int(now.microseconds / 1_000_000)))
            }
        }
        guard let limit, written > limit else { return false }
        index += 1
        if let fileCount, index >= fileCount { index = 0 }
        return open(names.name(count: index, at: Int(periodStart.microseconds / 1_000_000)))
    }

    /// Ends the current file (what is buffered goes to it) and begins `path` with the header.
    private func open(_ path: String) -> Bool {
        flush()
        do {
            output = try LineOutput(OutputTarget(argument: path)!)
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
