import Foundation

/// Runs helper commands (ip, sysctl) for the integration tests and fails loudly when they fail.
enum Shell {
    struct Failure: Error, CustomStringConvertible {
        let command: [String]
        let status: Int32
        let output: String
        var description: String { "\(command.joined(separator: " ")) exited \(status): \(output)" }
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(command: arguments, status: process.terminationStatus, output: output)
        }
        return output
    }

    /// Runs a command to its end whatever its status (standard output discarded): its exit status and what it
    /// said on stderr, for tests of procscope's own errors and warnings.
    static func outcome(_ arguments: [String], environment: [String: String]? = nil) throws
        -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    static var isRoot: Bool { getuid() == 0 }

    /// The directory holding the built `procscope` and `procscope-testpeer`: PROCSCOPE_BIN_DIR (the test script
    /// points it at the release build), else the build directory this test bundle runs from.
    static var binaryDirectory: String {
        if let directory = ProcessInfo.processInfo.environment["PROCSCOPE_BIN_DIR"] { return directory }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("procscope").path) && url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }
}
