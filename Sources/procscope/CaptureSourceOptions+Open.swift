import ProcscopeCore
import ProcscopeLinux

extension CaptureSourceOptions {
    /// The interface captured live (`any` unless -i says otherwise).
    var liveInterface: String { interface ?? "any" }

    /// Opens the file of -r, saying so on stderr as tcpdump does.
    func openFile(_ path: String) throws -> FileCapture {
        let capture = try FileCapture(path: path, filter: filter)
        capture.session.warn = { StandardError.line("procscope: warning: \($0)") }
        StandardError.line("reading from file \(path), link-type \(capture.source.linkType.pcapName), snapshot length \(capture.source.snapLength)")
        return capture
    }

    /// Opens the live capture, printing its setup warnings and tcpdump's "listening on" line (tests and
    /// scripts wait for it: capturing has started).
    func openLive(signals: SignalWatcher) throws -> LiveCapture {
        let capture = try LiveCapture(interface: liveInterface, filter: filter, snapLength: snapLength,
                                      bufferBytes: bufferKiB * 1024, signals: signals)
        for warning in capture.warnings { StandardError.line("procscope: warning: \(warning)") }
        capture.session.warn = { StandardError.line("procscope: warning: \($0)") }
        StandardError.line("listening on \(liveInterface), link-type \(capture.source.linkType.pcapName), snapshot length \(capture.source.snapLength) bytes")
        return capture
    }
}
