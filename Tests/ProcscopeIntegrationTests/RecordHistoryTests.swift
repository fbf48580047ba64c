import Foundation
import Testing

/// `procscope record` and `procscope history`, for real: clients the test starts talk while `record` runs in
/// the test's namespace; afterwards `history who` names each client's PID and program for the endpoint it
/// talked to, a second run appends, and a record killed with SIGKILL leaves a database that still answers.
extension IntegrationTests {
@Suite struct RecordHistoryTests {
    /// A `record` run, started in `namespace` and waited for ("listening on").
    func startRecord(_ namespace: TestNamespace, db: String, port: String) throws -> (Process, Pipe) {
        let process = Process(), errors = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = namespace.commandPrefix + [Shell.binaryDirectory + "/procscope", "record", "--db", db,
                                                       "-i", "lo", "tcp", "port", port]
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var text = ""
        while !text.contains("listening on") {
            let data = errors.fileHandleForReading.readData(ofLength: 1)
            if data.isEmpty { throw Shell.Failure(command: process.arguments ?? [], status: -1, output: text) }
            text += String(decoding: data, as: UTF8.self)
        }
        return (process, errors)
    }

    func client(_ namespace: TestNamespace, port: String, bytes: String) throws -> Int32 {
        let peer = try Peer.start(in: namespace, ["tcp-client", "127.0.0.1", port, bytes, "20"])
        peer.wait()
        return peer.pid
    }

    /// `history who --json` for the server's endpoint: owner PID and program of each conversation.
    func who(_ db: String, port: String) throws -> [(pid: Int, program: String, bytes: Int)] {
        let text = try Shell.run([Shell.binaryDirectory + "/procscope", "history", "who", "--db", db,
                                  "--remote", "127.0.0.1:\(port)", "--since", "-10m", "--json"])
        let rows = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
        return rows.compactMap { row in
            guard let owner = row["owner"] as? [String: Any], let pid = owner["pid"] as? Int else { return nil }
            return (pid, owner["program"] as? String ?? "", (row["tx"] as? [String: Any])?["bytes"] as? Int ?? 0)
        }
    }

    @Test("history who names each client's PID and program after record stopped; a second run appends")
    func recordThenAsk() throws {
        let namespace = try TestNamespace("record")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-record-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = directory + "/history.db" // the directory does not exist yet: record makes it
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5370", "60"])
        defer { server.stop() }

        var clients: [Int32] = []
        for run in 0..<2 {
            let (record, _) = try startRecord(namespace, db: db, port: "5370")
            clients.append(try client(namespace, port: "5370", bytes: run == 0 ? "30000" : "50000"))
            clients.append(try client(namespace, port: "5370", bytes: "1000"))
            usleep(300_000)
            kill(record.processIdentifier, SIGTERM)
            record.waitUntilExit()
            #expect(record.terminationStatus == 0)
        }
        let rows = try who(db, port: "5370")
        print("history who: \(rows.map { "\($0.pid)/\($0.program) \($0.bytes) B" })")
        #expect(Set(rows.map { Int32($0.pid) }) == Set(clients), "each client of both runs, and nothing else")
        #expect(rows.allSatisfy { $0.program == "procscope-testpeer" })
        #expect(rows.contains { $0.bytes > 50_000 } && rows.contains { $0.bytes > 30_000 && $0.bytes < 50_000 })
        let top = try Shell.run([Shell.binaryDirectory + "/procscope", "history", "top", "--db", db, "--since", "-10m"])
        #expect(top.contains("procscope-testpeer"), "\(top)")
    }

    @Test("A record killed with SIGKILL leaves a database that opens and holds what ended a second before")
    func killedRecordKeepsWhatWasWritten() throws {
        let namespace = try TestNamespace("recordkill")
        defer { namespace.tearDown() }
        let directory = NSTemporaryDirectory() + "procscope-recordkill-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = directory + "/history.db"
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5371", "30"])
        defer { server.stop() }
        let (record, _) = try startRecord(namespace, db: db, port: "5371")
        let early = try client(namespace, port: "5371", bytes: "20000")
        sleep(3) // more than a second: written
        kill(record.processIdentifier, SIGKILL)
        record.waitUntilExit()
        let rows = try who(db, port: "5371")
        #expect(rows.map { Int32($0.pid) } == [early])
    }
}
}
