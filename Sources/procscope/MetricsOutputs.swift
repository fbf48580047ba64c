import Glibc
import ProcscopeCore
import ProcscopeLinux

/// Where `--metrics-listen` and `--metrics-textfile` get their figures: rendered on the capture thread once a
/// second (the session is that thread's), published to the HTTP server, and written to the text file every
/// 5 s and at the end.
final class MetricsOutputs {
    private let collector: MetricsCollector
    private let server: MetricsServer?
    private let textFile: String?
    private var lastRendered = Timestamp.zero
    private var lastWritten = Timestamp.zero
    /// The text file's first failure: the command stops the capture and reports it, as for its other outputs.
    private(set) var failure: OutputFailure?

    /// Opens the listening socket now, so a port in use is said before capturing starts.
    init(_ options: MetricsOptions) throws {
        collector = MetricsCollector(seriesLimit: options.maxPrograms)
        server = try options.listen.map { try MetricsServer(host: $0.host, port: $0.port, address: $0.text) }
        textFile = options.textFile
        if let textFile { try Self.probe(textFile) }
        server?.start()
    }

    /// Whether the text file's directory takes a file: said now, not after a capture that could not be kept.
    private static func probe(_ path: String) throws {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputFailure(output: path, errno: errno) }
        close(fd)
        unlink(temporary)
    }

    /// Once per capture-loop turn: renders when a second has passed.
    func turn(_ session: CaptureSession, drops: (kernel: UInt64, interface: UInt64)) {
        guard server != nil || textFile != nil else { return }
        let now = wallClockNow()
        guard now.microseconds(since: lastRendered) >= 1_000_000 else { return }
        lastRendered = now
        let text = render(session, drops: drops)
        server?.publish(text)
        if now.microseconds(since: lastWritten) >= 5_000_000 {
            lastWritten = now
            write(text)
        }
    }

    /// The last figures: served until the server stops, and written to the text file.
    func finish(_ session: CaptureSession, drops: (kernel: UInt64, interface: UInt64)) {
        guard server != nil || textFile != nil else { return }
        let text = render(session, drops: drops)
        server?.publish(text)
        write(text)
        server?.stop()
    }

    private func render(_ session: CaptureSession, drops: (kernel: UInt64, interface: UInt64)) -> String {
        var snapshot = collector.snapshot(of: session)
        snapshot.droppedByKernel = drops.kernel
        snapshot.droppedByInterface = drops.interface
        snapshot.version = Procscope.configuration.version
        OwnResources.fill(&snapshot)
        return PrometheusText.render(snapshot)
    }

    /// Whole or not at all: a temporary file beside the target, renamed over it (node_exporter reads only
    /// *.prom files, and never sees a half-written one).
    private func write(_ text: String) {
        guard let textFile, failure == nil else { return }
        let temporary = "\(textFile).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            failure = OutputFailure(output: textFile, errno: errno)
            return
        }
        var problem: OutputFailure?
        do { try OutputFailure.writeAll(fd, Array(text.utf8), output: textFile) } catch { problem = error as? OutputFailure }
        if close(fd) != 0 && problem == nil { problem = OutputFailure(output: textFile, errno: errno) }
        if problem == nil && rename(temporary, textFile) != 0 { problem = OutputFailure(output: textFile, errno: errno) }
        if let problem {
            unlink(temporary)
            failure = problem
        }
    }
}
