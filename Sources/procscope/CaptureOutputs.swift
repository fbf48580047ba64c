import ProcscopeCore
import ProcscopeLinux

/// What a capturing command writes while it runs: the `--ndjson` stream (every interval) and the annotated
/// pcapng of `-w` (packets as their owners become known); both completed by `finish`.
final class CaptureOutputs {
    private let stream: (lines: ConversationStream, output: LineOutput)?
    private let annotated: (writer: AnnotatedCaptureWriter, output: RotatingCaptureFile)?
    private let intervalMicros: Int64
    private var lastStreamed = Timestamp.zero
    private var streamFailure: OutputFailure?
    /// Whether a file is written (not standard output): then SIGHUP reopens it rather than stopping.
    let writesFiles: Bool

    /// The first output that failed (the NDJSON stream, the pcapng file): the command stops the capture
    /// at the end of the turn, finishes what it can, and reports it.
    var failure: OutputFailure? { streamFailure ?? annotated?.output.failure }
    /// Whether the capture must stop at the end of this turn: an output failed, or `-G` with `-W` has written
    /// its last file.
    var shouldStop: Bool { failure != nil || fileLimitReached }
    private var fileLimitReached: Bool { annotated?.output.fileLimitReached ?? false }

    init(ndjson: OutputTarget? = nil, pcapng: AnnotatedFileOptions, interval: Double = 1, filter: OwnerFilter,
         precision: TimestampPrecision = .micro) throws {
        stream = try ndjson.map { (ConversationStream(filter: filter), try LineOutput($0)) }
        annotated = try pcapng.writeFile.map {
            (AnnotatedCaptureWriter(processBlocks: pcapng.processBlocks, precision: precision),
             try RotatingCaptureFile($0, megabytes: pcapng.fileSize, seconds: pcapng.rotateSeconds,
                                     fileCount: pcapng.fileCount))
        }
        intervalMicros = Int64(interval * 1_000_000)
        writesFiles = [ndjson, pcapng.writeFile].contains { $0.map { !$0.isStandardOutput } ?? false }
    }

    /// Starts the pcapng file (section and interface) and has the session hand over every packet (after
    /// any observer already attached, such as the audit listing).
    func attach(to session: CaptureSession, linkType: LinkType, snapLength: Int, interface: String, filter: String?) {
        lastStreamed = wallClockNow()
        stream?.lines.follow(session)
        guard let annotated else { return }
        annotated.writer.follow(session)
        annotated.output.start(header: AnnotatedCaptureWriter.header(linkType: linkType, snapLength: snapLength,
                                                                     interface: interface, filter: filter,
                                                                     precision: annotated.writer.precision))
        session.observedPacketsKeepBytes = true
        let earlier = session.packetObserver
        session.packetObserver = { record in
            earlier?(record)
            annotated.writer.append(record)
        }
    }

    /// Once per capture-loop turn: packets whose owners are known; stream lines when an interval has passed.
    func turn(_ session: CaptureSession) {
        let now = wallClockNow()
        if let annotated { annotated.writer.drain(session, now: now, to: annotated.output) }
        if let stream {
            let retired = stream.lines.takeRetiredLines()
            if !retired.isEmpty { writeStream(retired) }
        }
        if let stream, now.microseconds(since: lastStreamed) >= intervalMicros {
            lastStreamed = now
            writeStream(stream.lines.lines(session, now: now))
        }
    }

    /// SIGHUP (logrotate): the NDJSON and pcapng files are opened again by name. The `--json` document needs
    /// nothing: it is written whole at the end.
    func reopen() {
        if let stream, streamFailure == nil {
            do { try stream.output.reopen() } catch { streamFailure = error as? OutputFailure }
        }
        annotated?.output.reopen()
    }

    /// At the end: every packet left, the capture's facts in the pcapng, and a final line per conversation.
    func finish(_ session: CaptureSession, capture: CaptureReport.CaptureInfo) {
        let now = wallClockNow()
        if let annotated { annotated.writer.finish(session, capture: capture, now: now, to: annotated.output) }
        if let stream { writeStream(stream.lines.lines(session, now: now, final: true)) }
        if fileLimitReached, let fileCount = annotated?.output.fileCount {
            StandardError.line("procscope: maximum file limit reached: \(fileCount) (-W)")
        }
    }

    private func writeStream(_ lines: [UInt8]) {
        guard let stream, streamFailure == nil else { return }
        do { try stream.output.write(lines) } catch { streamFailure = error as? OutputFailure }
    }
}
