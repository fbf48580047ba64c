import ArgumentParser
import Foundation
import Glibc

/// A file path or `-` for standard output.
struct OutputTarget: ExpressibleByArgument {
    let path: String

    init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        path = argument
    }

    var isStandardOutput: Bool { path == "-" }
}

extension OutputTarget {
    /// Writes what `produce` hands to its sink as it comes (a document too large to hold as text). A regular
    /// file is written to a temporary file beside it and renamed into place once complete, so a reader never
    /// sees half a file and a failed write (a full disk) leaves any earlier file as it was; standard output
    /// and character devices are written directly. Errors name the path and say why.
    func stream(_ produce: (@escaping ([UInt8]) throws -> Void) throws -> Void) throws {
        if isStandardOutput {
            try produce { try OutputFailure.standardOutput($0) }
            return
        }
        var status = stat()
        let exists = stat(path, &status) == 0
        if exists && (status.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw OutputFailure(output: path, errno: errno) }
            defer { close(fd) }
            try produce { try OutputFailure.writeAll(fd, $0, output: path) }
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.procscope-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputFailure(output: "\(path) (through a temporary file in \(directory.isEmpty ? "." : directory))", errno: errno)
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var open = true
        do {
            try produce { try OutputFailure.writeAll(fd, $0, output: path) }
            // mkstemp makes the file 0600; an export is as readable as any file the user creates.
            let mask = umask(0)
            umask(mask)
            fchmod(fd, exists ? status.st_mode & 0o7777 : 0o666 & ~mask)
            open = false
            // close reports a write the file system could not complete (NFS, a quota).
            guard close(fd) == 0 else { throw OutputFailure(output: path, errno: errno) }
            guard rename(temporary, path) == 0 else { throw OutputFailure(output: path, errno: errno) }
        } catch {
            if open { close(fd) }
            unlink(temporary)
            throw error
        }
    }
}
