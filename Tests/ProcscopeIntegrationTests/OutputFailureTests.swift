import Foundation
import Testing

/// Output failures are errors, not crashes: a reader that closes the pipe ends procscope quietly with
/// status 0 (as `tcpdump | head` does); a full disk (/dev/full) is reported, naming the output, with status 1,
/// and the other outputs are still written. Files only: no root needed.
@Suite struct OutputFailureTests {
    /// A capture of 20,000 short TCP connections: enough lines that a reader closing early is noticed.
    static let capture: String = {
        let path = NSTemporaryDirectory() + "procscope-outputs-\(getpid()).pcap"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/make-connections-capture.py").path
        _ = try? Shell.run(["python3", script, path, "20000"])
        return path
    }()

    /// Runs `command` through bash; its exit status (of procscope, the first command of a pipeline) and stderr.
    static func bash(_ command: String) throws -> (status: Int32, stderr: String) {
        try Shell.outcome(["/bin/bash", "-c", command + "; exit ${PIPESTATUS[0]}"],
                          environment: ["P": Shell.binaryDirectory + "/procscope", "F": capture, "PATH": "/usr/bin:/bin"])
    }

    @Test("A reader that closes the pipe ends procscope quietly with status 0",
          arguments: ["$P audit -r $F | head -1", "$P capture -r $F --ndjson - --quiet | head -1",
                      "$P capture -r $F --json - --quiet | head -c 100", "$P capture -r $F | head -1",
                      "$P sockets | head -1", "$P sockets --json | head -c 10"])
    func closedPipeIsAQuietEnd(command: String) throws {
        let (status, stderr) = try Self.bash(command)
        #expect(status == 0, "\(command): \(stderr)")
        #expect(!stderr.contains("Fatal error") && !stderr.contains("Error:"), "\(command): \(stderr)")
    }

    @Test("A full disk is reported with the output's name and status 1, never a crash",
          arguments: [("$P capture -r $F -w /dev/full --quiet", "/dev/full"),
                      ("$P capture -r $F --ndjson /dev/full --quiet", "/dev/full"),
                      ("$P capture -r $F --json /dev/full --quiet", "/dev/full"),
                      ("$P capture -r $F --json - --quiet > /dev/full", "standard output"),
                      ("$P capture -r $F > /dev/full", "standard output"),
                      ("$P audit -r $F > /dev/full", "standard output"),
                      ("$P audit -r $F -w /dev/full > /dev/null", "/dev/full"),
                      ("$P sockets > /dev/full", "standard output"),
                      ("$P sockets --json > /dev/full", "standard output")])
    func fullDiskIsReported(command: String, output: String) throws {
        let (status, stderr) = try Self.bash(command)
        #expect(status == 1, "\(command): \(stderr)")
        #expect(stderr.contains("cannot write \(output): No space left on device"), "\(command): \(stderr)")
        #expect(!stderr.contains("Fatal error"), "\(command): \(stderr)")
    }

    @Test("When the NDJSON stream fails, the JSON document is still written complete")
    func otherOutputsAreFinished() throws {
        let json = NSTemporaryDirectory() + "procscope-outputs-\(getpid()).json"
        defer { try? FileManager.default.removeItem(atPath: json) }
        let (status, stderr) = try Self.bash("$P capture -r $F --quiet --ndjson /dev/full --json \(json)")
        #expect(status == 1, "\(stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(document?["schema"] as? String == "procscope/2")
    }
}
