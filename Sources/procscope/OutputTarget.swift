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

    /// Writes `text` completely (to a temporary file renamed into place, so a reader never sees half a file).
    func write(_ text: String) throws {
        if isStandardOutput {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
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
