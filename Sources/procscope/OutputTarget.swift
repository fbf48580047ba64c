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

extension OutputTarget {
    /// Writes what `produce` hands to its sink as it comes (a document too large to hold as text). A regular
    /// file is written to a temporary file beside it and renamed into place once complete, so a reader never
    /// sees half a file and a failed write (a full disk) leaves any earlier file as it was; standard output
    /// and character devices are written directly. Errors name the path and say why.
    func stream(_ produce: (@escaping ([UInt8]) throws -> Void) throws -> Void) throws {
        if isStandardOutput {
            try produce { try Self.writeAll(1, $0, path: "standard output") }
            return
        }
        var status = stat()
        let exists = stat(path, &status) == 0
        if exists && (status.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            defer { close(fd) }
            try produce { try Self.writeAll(fd, $0, path: path) }
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.procscope-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw OutputError(path: path, reason: "cannot create a file in \(directory.isEmpty ? "." : directory): \(String(cString: strerror(errno)))")
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var open = true
        do {
            try produce { try Self.writeAll(fd, $0, path: path) }
            // mkostemp makes the file 0600; an export is as readable as any file the user creates.
            let mask = umask(0)
            umask(mask)
            fchmod(fd, exists ? status.st_mode & 0o7777 : 0o666 & ~mask)
            open = false
            // close reports a write the file system could not complete (NFS, a quota).
            guard close(fd) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
            guard rename(temporary, path) == 0 else { throw OutputError(path: path, reason: String(cString: strerror(errno))) }
        } catch {
            if open { close(fd) }
            unlink(temporary)
            throw error
        }
    }

    /// write(2) until every byte is out, retrying on EINTR.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(path: path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
    }
}

struct OutputError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    init(path: String, underlying: Error) {
        self.path = path
        reason = underlying.localizedDescription
    }

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    var description: String { "cannot write '\(path)': \(reason)" }
}
