import Foundation
import Testing

/// Memory that follows what is live, not what was ever seen: a capture that sees connection after connection
/// stays flat (ended conversations are folded into their owner's totals and their memory reused).
extension IntegrationTests {
@Suite struct LongRunMemoryTests {
    /// Runs a command to its end; its exit status and peak resident memory (KiB), as GNU time reports it.
    /// Not wait4's ru_maxrss of a child spawned from here: posix_spawn shares this (large) test process's
    /// memory until the exec, and the kernel carries that memory's high-water mark into the child's maxrss.
    /// time forks an ordinary child from its own small process.
    func peakMemory(_ arguments: [String]) throws -> (status: Int32, kibibytes: Int) {
        let report = NSTemporaryDirectory() + "procscope-peak-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-f", "%M", "-o", report] + arguments
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOfFile: report, encoding: .utf8)
        // "Command exited with non-zero status N" precedes the figure when the command failed.
        let peak = Int(text.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? -1
        return (process.terminationStatus, peak)
    }

    @Test("Reading 500,000 short TCP connections with --ndjson peaks under 64 MiB")
    func readingManyConnectionsStaysSmall() throws {
        let path = NSTemporaryDirectory() + "procscope-connections-\(getpid()).pcap"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/make-connections-capture.py").path
        try Shell.run(["python3", script, path, "500000"])
        let output = NSTemporaryDirectory() + "procscope-connections-\(getpid()).ndjson"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let (status, peak) = try peakMemory([Shell.binaryDirectory + "/procscope", "capture", "-r", path, "--quiet",
                                             "--ndjson", output])
        #expect(status == 0)
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        let closed = lines.filter { $0.contains(#""event":"closed""#) }.count
        print("reading 500,000 connections with --ndjson: peak \(peak / 1024) MiB, \(lines.count) lines, \(closed) closed")
        #expect(peak < 64 * 1024, "peak resident memory \(peak) KiB")
        #expect(closed + lines.filter { $0.contains(#""event":"final""#) }.count >= 500_000, "every connection's last line")
    }

    @Test("A conversation costs at most 256 bytes, --json included: 200,000 against 20,000 read from a pipe")
    func conversationFitsTheMemoryBudget() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/make-connections-capture.py").path
        var peaks: [Int] = []
        for connections in [20_000, 200_000] {
            let path = NSTemporaryDirectory() + "procscope-budget-\(getpid())-\(connections).pcap"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Shell.run(["python3", script, path, String(connections)])
            // From a pipe, so the mapped file does not count; --json keeps every conversation to the end.
            let (status, peak) = try peakMemory(["/bin/sh", "-c", "exec \"$0\" capture -r - --quiet --json /dev/null < \"$1\"",
                                                 Shell.binaryDirectory + "/procscope", path])
            #expect(status == 0)
            peaks.append(peak)
        }
        let perConversation = (peaks[1] - peaks[0]) * 1024 / 180_000
        print("memory per conversation with --json: \(perConversation) bytes (peaks \(peaks[0]) and \(peaks[1]) KiB)")
        #expect(perConversation <= 256 && perConversation > 0, "\(perConversation) bytes per conversation")
    }

    @Test("A live capture --ndjson through 100,000 connections keeps its memory flat")
    func liveCaptureThroughManyConnectionsStaysFlat() throws {
        let namespace = try TestNamespace("churn")
        defer { namespace.tearDown() }
        let output = NSTemporaryDirectory() + "procscope-churn-\(getpid()).ndjson"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let capture = try ProcscopeRun(in: namespace, arguments: ["--ndjson", output, "-i", "lo", "tcp", "port", "5340"],
                                       document: false)
        let server = try Peer.start(in: namespace, ["tcp-server", "127.0.0.1", "5340", "300"])
        defer { server.stop() }
        let churn = try Peer.start(in: namespace, ["churn", "127.0.0.1", "5340", "100000"])
        defer { churn.stop() }
        func residentKiB() -> Int {
            let status = (try? String(contentsOfFile: "/proc/\(capture.process.processIdentifier)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        var samples: [Int] = []
        var status: Int32 = 0
        while waitpid(churn.pid, &status, WNOHANG) == 0 {
            samples.append(residentKiB())
            usleep(500_000)
        }
        sleep(3) // the last connections' lookups answer and their conversations are folded away
        samples.append(residentKiB())
        #expect(capture.stopQuietly() == 0)
        let closed = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(#""event":"closed""#) }.count
        // Memory climbs while caches and allocator arenas warm up (some 40 MiB, over the first seconds), then
        // stays: the first half's highest sample is the plateau, and the second half must not rise above it.
        // Without folding, the second half's 100,000 conversations (both sides) would add about 50 MiB.
        let firstHalf = samples.prefix(samples.count / 2).max() ?? -1
        let secondHalf = samples.suffix(samples.count - samples.count / 2).max() ?? -1, end = samples.last ?? -1
        print("live capture through 100,000 connections: resident \(samples.first ?? -1) KiB at start, \(firstHalf) KiB "
              + "highest in the first half, \(secondHalf) KiB in the second, \(end) KiB at the end; \(closed) closed "
              + "conversations streamed")
        #expect(closed >= 100_000, "the capture saw the connections end")
        #expect(secondHalf - firstHalf < 24 * 1024, "resident memory grew after the warm-up")
    }
}
}
