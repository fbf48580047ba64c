import Foundation
import Glibc

/// A destination for streamed lines (`--ndjson`): a file created (or truncated) at the start and written as
/// lines come, or standard output. Unlike `OutputTarget` it is not written atomically at the end: a reader
/// follows it while the capture runs.
final class LineOutput {
    private let handle: FileHandle

    init(_ target: OutputTarget) throws {
        if target.isStandardOutput {
            handle = .standardOutput
            return
        }
        // open(2), not FileManager.createFile: that one replaces the path (a device such as /dev/null, a FIFO
        // a reader waits on) with a new regular file.
        let fd = open(target.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OutputError(path: target.path, underlying: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
        }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    func write(_ bytes: [UInt8]) {
        if !bytes.isEmpty { handle.write(Data(bytes)) }
    }
}
