import Glibc

/// A destination for streamed lines (`--ndjson`) and blocks (`-w`): a file created (or truncated) at the
/// start and written as lines come, or standard output. Unlike `OutputTarget.stream` it is not written
/// atomically at the end: a reader follows it while the capture runs.
final class LineOutput {
    private var descriptor: Int32
    private let name: String

    init(_ target: OutputTarget) throws {
        if target.isStandardOutput {
            descriptor = 1
            name = "standard output"
            return
        }
        // open(2), not FileManager.createFile: that one replaces the path (a device such as /dev/null, a FIFO
        // a reader waits on) with a new regular file.
        let fd = open(target.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputFailure(output: target.path, errno: errno) }
        descriptor = fd
        name = target.path
    }

    /// Opens the file again by its name (SIGHUP: logrotate moved it away), appending when it still exists so
    /// that a hang-up with nothing moved loses nothing. Standard output stays as it is.
    func reopen() throws {
        guard descriptor != 1 else { return }
        let fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputFailure(output: name, errno: errno) }
        close(descriptor)
        descriptor = fd
    }

    deinit {
        if descriptor != 1 { close(descriptor) }
    }

    /// Writes every byte or throws `OutputFailure` (a closed pipe, a full disk).
    func write(_ bytes: [UInt8]) throws {
        if !bytes.isEmpty { try OutputFailure.writeAll(descriptor, bytes, output: name) }
    }
}
