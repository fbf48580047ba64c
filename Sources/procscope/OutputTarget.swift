import ArgumentParser
import Foundation

/// A file path or `-` for standard output.
struct OutputTarget: ExpressibleByArgument {
    let path: String

    init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        path = argument
    }

    var isStandardOutput: Bool { path == "-" }

    /// Writes `bytes` completely (to a temporary file renamed into place, so a reader never sees half a file;
    /// character devices such as /dev/null are written directly).
    func write(_ bytes: [UInt8]) throws {
        if isStandardOutput {
            FileHandle.standardOutput.write(Data(bytes))
            return
        }
        do {
            var isDirectory: ObjCBool = false
            let isRegularOrNew = !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                || ((try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular)
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: isRegularOrNew ? .atomic : [])
        } catch {
            throw OutputError(path: path, underlying: error)
        }
    }
}

struct OutputError: Error, CustomStringConvertible {
    let path: String
    let underlying: Error
    var description: String { "cannot write '\(path)': \(underlying.localizedDescription)" }
}
