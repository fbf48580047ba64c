import ProcscopeCore
import ProcscopeLinux

/// What `capture` writes while it runs: the `--ndjson` stream (every interval) and the annotated pcapng of
/// `-w` (packets as their owners become known); both completed by `finish`.
final class CaptureOutputs {
    private let stream: (lines: ConversationStream, output: LineOutput)?
    private let annotated: (writer: AnnotatedCaptureWriter, output: RotatingCaptureFile)?
    private let intervalMicros: Int64
    private var lastStreamed = Timestamp.zero

    init(ndjson: OutputTarget?, pcapng: OutputTarget?, rotateMegabytes: Int?, interval: Double,
         filter: OwnerFilter) throws {
        stream = try ndjson.map { (ConversationStream(filter: filter), try LineOutput($0)) }
        annotated = try pcapng.map { (AnnotatedCaptureWriter(), try RotatingCaptureFile($0, megabytes: rotateMegabytes)) }
        intervalMicros = Int64(interval * 1_000_000)
    }

    /// Starts the pcapng file (section and interface) and has the session hand over every packet.
    func attach(to session: CaptureSession, linkType: LinkType, snapLength: Int, interface: String) {
        lastStreamed = wallClockNow()
        guard let annotated else { return }
        annotated.output.start(header: AnnotatedCaptureWriter.header(linkType: linkType, snapLength: snapLength, interface: interface))
        session.observedPacketsKeepBytes = true
        session.packetObserver = { annotated.writer.append($0) }
    }

    /// Once per capture-loop turn: packets whose owners are known; stream lines when an interval has passed.
    func turn(_ session: CaptureSession) {
        let now = wallClockNow()
        if let annotated { annotated.writer.drain(session, now: now, annotated.output.writePacket) }
        if let stream, now.microseconds(since: lastStreamed) >= intervalMicros {
            lastStreamed = now
            stream.output.write(stream.lines.lines(session, now: now))
        }
    }

    /// At the end: every packet left and a final line per conversation.
    func finish(_ session: CaptureSession) {
        let now = wallClockNow()
        if let annotated { annotated.writer.drain(session, now: now, force: true, annotated.output.writePacket) }
        if let stream { stream.output.write(stream.lines.lines(session, now: now, final: true)) }
    }
}
