import Foundation

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
        guard FileManager.default.createFile(atPath: target.path, contents: nil),
              let opened = FileHandle(forWritingAtPath: target.path) else {
            throw OutputError(path: target.path, underlying: CocoaError(.fileWriteNoPermission))
        }
        handle = opened
    }

    func write(_ bytes: [UInt8]) {
        if !bytes.isEmpty { handle.write(Data(bytes)) }
    }
}
