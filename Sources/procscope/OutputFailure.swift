import ArgumentParser
import Glibc

/// A write to one of procscope's outputs failed. A closed pipe (the reader went away, as `| head` does)
/// ends procscope quietly with status 0, like tcpdump; any other failure (a full disk, an I/O error) is
/// reported, naming the output and the reason, after the other outputs are finished, with status 1.
struct OutputFailure: Error, CustomStringConvertible {
    /// The path, or "standard output".
    let output: String
    let errno: Int32

    var isClosedPipe: Bool { errno == EPIPE }

    var description: String {
        let hint = errno == ENOSPC ? " (the file system is full: free space or write elsewhere)" : ""
        return "cannot write \(output): \(String(cString: strerror(errno)))\(hint)"
    }

    /// write(2) until every byte is out, retrying on EINTR. SIGPIPE is ignored (SignalWatcher), so a closed
    /// pipe is EPIPE here.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], output: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if Glibc.errno == EINTR { continue }
                    throw OutputFailure(output: output, errno: Glibc.errno)
                }
                offset += written
            }
        }
    }

    /// Standard output, written unbuffered so a failure is known when it happens (print() would lose it).
    static func standardOutput(_ bytes: [UInt8]) throws {
        try writeAll(1, bytes, output: "standard output")
    }
}

/// How a capturing command ends once everything it could write is written: a capture error (a corrupt
/// file) is thrown, with a failed output said beside it; otherwise a failed output is, or, for a closed pipe,
/// a quiet status 0.
func endRun(captureFailure: Error?, outputFailure: OutputFailure?) throws {
    if let captureFailure {
        if let outputFailure, !outputFailure.isClosedPipe { StandardError.line("procscope: \(outputFailure)") }
        throw CaptureFailure(underlying: captureFailure)
    }
    try rethrowingOutputFailure(outputFailure)
}

/// What a command does with an output failure once everything else is written: nothing more for a closed
/// pipe (exit 0, quietly), the failure itself otherwise.
func rethrowingOutputFailure(_ failure: OutputFailure?) throws {
    guard let failure else { return }
    if failure.isClosedPipe { throw ExitCode.success }
    throw failure
}
