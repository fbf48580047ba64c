import Foundation

/// One procscope-testpeer process started in a namespace: its PID and local port, from its `ready` line.
struct Peer {
    let process: Process
    let pid: Int32
    let port: UInt16

    /// Starts a peer and waits for its `ready pid=P port=L` line.
    static func start(in namespace: TestNamespace, _ arguments: [String]) throws -> Peer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ip", "netns", "exec", namespace.name, Shell.binaryDirectory + "/procscope-testpeer"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var line = ""
        let handle = pipe.fileHandleForReading
        while !line.hasSuffix("\n") {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { break }
            line += String(decoding: byte, as: UTF8.self)
        }
        let fields = Dictionary(uniqueKeysWithValues: line.split(separator: " ").dropFirst().compactMap { field -> (String, String)? in
            let parts = field.split(separator: "=")
            return parts.count == 2 ? (String(parts[0]), parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) : nil
        })
        guard let pid = fields["pid"].flatMap({ Int32($0) }), let port = fields["port"].flatMap({ UInt16($0) }) else {
            process.waitUntilExit()
            throw Shell.Failure(command: arguments, status: process.terminationStatus, output: "no ready line: \(line)")
        }
        return Peer(process: process, pid: pid, port: port)
    }

    func wait() {
        process.waitUntilExit()
    }

    /// Ends a peer the test started (by its PID).
    func stop() {
        if process.isRunning { kill(pid, SIGTERM) }
        process.waitUntilExit()
    }
}
