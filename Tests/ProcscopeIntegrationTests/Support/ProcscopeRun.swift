import Foundation

/// `procscope capture` running in a test namespace, stopped with SIGINT, its JSON parsed.
final class ProcscopeRun {
    let process = Process()
    let jsonPath: String
    /// What procscope wrote on standard error up to and including its "listening on" line.
    private(set) var startupText = ""
    private let stderrPipe = Pipe()

    /// `capture --json FILE --quiet ARGUMENTS`, or with `audit`, `audit --json ARGUMENTS` with its standard
    /// output kept in that file (`stopAudit` reads it).
    /// `document: false` runs `capture --quiet ARGUMENTS` with no JSON document (as a long run would: ended
    /// conversations are then folded away); stop it with `stopQuietly`. `launcher` runs procscope under
    /// another command (`setpriv` with fewer capabilities).
    init(in namespace: TestNamespace, arguments: [String], audit: Bool = false, document: Bool = true,
         launcher: [String] = []) throws {
        jsonPath = NSTemporaryDirectory() + "procscope-test-\(UUID().uuidString).json"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let command = audit ? ["audit", "--json"] : document ? ["capture", "--json", jsonPath, "--quiet"] : ["capture", "--quiet"]
        process.arguments = namespace.commandPrefix + launcher + [Shell.binaryDirectory + "/procscope"] + command
            + arguments
        process.standardError = stderrPipe
        if audit {
            FileManager.default.createFile(atPath: jsonPath, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: jsonPath)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        try process.run()
        // Capturing starts once it says so, like tcpdump.
        var text = ""
        let handle = stderrPipe.fileHandleForReading
        while !text.contains("listening on") {
            let data = handle.readData(ofLength: 1)
            if data.isEmpty { throw Shell.Failure(command: process.arguments ?? [], status: -1, output: text) }
            text += String(decoding: data, as: UTF8.self)
        }
        while !text.hasSuffix("\n") { text += String(decoding: handle.readData(ofLength: 1), as: UTF8.self) }
        startupText = text
    }

    /// A run a failed test never stopped is ended here (SIGINT, then reaped), so no capture outlives its test.
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
        }
    }

    /// Stops an audit as a user would (SIGINT) and returns its lines, one JSON object each.
    func stopAudit() throws -> [[String: Any]] {
        usleep(300_000)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let text = try String(contentsOfFile: jsonPath, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: jsonPath)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// What procscope wrote on standard error after its start, once it has exited.
    func laterStandardError() -> String {
        String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    /// Stops a capture run without a JSON document (SIGINT); its exit status.
    func stopQuietly() -> Int32 {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Stops the capture as a user would (SIGINT) and returns its JSON export.
    func stop() throws -> CaptureJSON {
        usleep(300_000) // the last frames and lookups settle
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        let data = try Data(contentsOf: URL(fileURLWithPath: jsonPath))
        try? FileManager.default.removeItem(atPath: jsonPath)
        return try CaptureJSON(data)
    }
}

/// The parts of procscope's JSON export the tests check.
struct CaptureJSON {
    struct Conversation {
        let proto: String
        let localAddress: String
        let localPort: Int?
        let remotePort: Int?
        let txBytes: Int, rxBytes: Int, txPackets: Int, rxPackets: Int
        let reason: String?
        let detail: String?
        let method: String?
        let latencyMicros: Int?
        var bytes: Int { txBytes + rxBytes }
    }

    struct Owner {
        let pid: Int32
        let exe: String?
        let netns: Int?
        let uid: Int?
        let conversations: [Conversation]
    }

    /// The export as written, byte for byte.
    let data: Data
    let root: [String: Any]
    let processes: [Owner]
    let unknown: [Conversation]

    init(_ data: Data) throws {
        self.data = data
        root = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        func conversations(_ value: Any?) -> [Conversation] {
            (value as? [[String: Any]] ?? []).map { c in
                let local = c["local"] as? [String: Any] ?? [:]
                let remote = c["remote"] as? [String: Any] ?? [:]
                let tx = c["tx"] as? [String: Any] ?? [:], rx = c["rx"] as? [String: Any] ?? [:]
                let attribution = c["attribution"] as? [String: Any] ?? [:]
                return Conversation(proto: c["protocol"] as? String ?? "", localAddress: local["address"] as? String ?? "",
                                    localPort: local["port"] as? Int, remotePort: remote["port"] as? Int,
                                    txBytes: tx["bytes"] as? Int ?? 0, rxBytes: rx["bytes"] as? Int ?? 0,
                                    txPackets: tx["packets"] as? Int ?? 0, rxPackets: rx["packets"] as? Int ?? 0,
                                    reason: c["reason"] as? String, detail: c["detail"] as? String, method: attribution["method"] as? String,
                                    latencyMicros: attribution["latency_us"] as? Int)
            }
        }
        processes = (root["processes"] as? [[String: Any]] ?? []).map {
            Owner(pid: Int32($0["pid"] as? Int ?? -1), exe: $0["exe"] as? String, netns: $0["netns"] as? Int,
                  uid: $0["uid"] as? Int,
                  conversations: conversations($0["conversations"]))
        }
        unknown = conversations((root["unknown"] as? [String: Any])?["conversations"])
    }

    /// The export of `procscope capture -r PATH` (on a file a test wrote with -w).
    static func read(_ path: String, arguments: [String] = []) throws -> CaptureJSON {
        let output = NSTemporaryDirectory() + "procscope-test-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: output) }
        try Shell.run([Shell.binaryDirectory + "/procscope", "capture", "-r", path, "--json", output, "--quiet"] + arguments)
        return try CaptureJSON(Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// Packets the capture counted.
    var packets: Int { (root["capture"] as? [String: Any])?["packets"] as? Int ?? -1 }

    /// The kinds of `capture.warnings`: what the capture said it could not see or do.
    var warningKinds: [String] {
        ((root["capture"] as? [String: Any])?["warnings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
    }

    /// Frames the kernel dropped because the capture fell behind.
    var droppedByKernel: Int {
        ((root["capture"] as? [String: Any])?["dropped"] as? [String: Any])?["kernel"] as? Int ?? -1
    }

    /// Who was credited and what stayed unknown and why, for a failed expectation's message: a rare miss
    /// under the whole suite's load must leave its reason in the CI log.
    var whoAndWhy: String {
        let owners = processes.map { "\($0.pid) \($0.exe ?? "?"): " + $0.conversations.map {
            "\($0.proto) \($0.localPort ?? -1)<->\($0.remotePort ?? -1) \($0.bytes) B \($0.method ?? "?")"
        }.joined(separator: ", ") }
        let unknowns = unknown.map {
            "\($0.proto) \($0.localPort ?? -1)<->\($0.remotePort ?? -1) \($0.bytes) B \($0.reason ?? "?"): \($0.detail ?? "")"
        }
        return "credited: [" + owners.joined(separator: "; ") + "]; unknown: [" + unknowns.joined(separator: "; ") + "]"
    }

    /// The uid reported for `pid`.
    func uid(of pid: Int32) -> Int? { processes.first { $0.pid == pid }?.uid }

    /// Bytes of conversations with local endpoint (proto, port) credited to `pid`.
    func bytes(pid: Int32, proto: String, port: UInt16) -> Int {
        processes.filter { $0.pid == pid }.flatMap(\.conversations)
            .filter { $0.proto == proto && $0.localPort == Int(port) }.reduce(0) { $0 + $1.bytes }
    }

    /// Bytes credited to any process other than the one that owns (proto, port) among `owners`:
    /// must be 0 whatever else happens. Each wrong credit is printed, for the diagnosis.
    func wronglyCreditedBytes(owners: [(pid: Int32, proto: String, port: UInt16)]) -> Int {
        var wrong = 0
        for process in processes {
            for conversation in process.conversations {
                let claimants = owners.filter { $0.proto == conversation.proto && Int($0.port) == conversation.localPort }
                let ours = owners.filter { $0.pid == process.pid }
                if (!claimants.isEmpty && !claimants.contains(where: { $0.pid == process.pid }))
                    || (!ours.isEmpty && !ours.contains(where: { $0.proto == conversation.proto && Int($0.port) == conversation.localPort })) {
                    wrong += conversation.bytes
                    print("wrong credit: pid \(process.pid) got \(conversation.proto) port \(conversation.localPort ?? -1) "
                          + "<-> \(conversation.remotePort ?? -1) (\(conversation.bytes) bytes, method \(conversation.method ?? "?"), "
                          + "\(conversation.latencyMicros ?? -1) us); claimed by \(claimants.map(\.pid))")
                }
            }
        }
        return wrong
    }
}
