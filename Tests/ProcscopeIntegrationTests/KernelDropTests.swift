import Foundation
import Testing

/// Floods said out loud: frames the kernel drops because the capture fell behind are told on stderr while
/// the capture runs, not only counted in the report at its end.
extension IntegrationTests {
@Suite struct KernelDropTests {
    @Test("Kernel drops are said on stderr when they happen, and counted in the report")
    func kernelDropsAreSaid() throws {
        let namespace = try TestNamespace("drops")
        defer { namespace.tearDown() }
        let capture = try ProcscopeRun(in: namespace, arguments: ["-i", "lo", "-B", "256", "udp", "port", "5330"])
        let sink = try Peer.start(in: namespace, ["udp-sink", "127.0.0.1", "5330", "20"])
        defer { sink.stop() }
        // The capture stops reading while a one-second flood overfills its 256 KiB ring.
        kill(capture.process.processIdentifier, SIGSTOP)
        let flood = Process()
        flood.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        flood.arguments = ["ip", "netns", "exec", namespace.name, Shell.binaryDirectory + "/procscope-testpeer",
                           "udp-flood", "127.0.0.1", "5330", "1", "18"]
        flood.standardOutput = FileHandle.nullDevice
        try flood.run()
        flood.waitUntilExit()
        kill(capture.process.processIdentifier, SIGCONT)
        usleep(1_500_000) // the once-a-second look comes round
        let report = try capture.stop()
        let stderr = capture.laterStandardError()
        #expect(report.droppedByKernel > 0, "the flood overfilled the ring")
        #expect(stderr.contains("procscope: warning: the kernel dropped"), "\(stderr)")
        #expect(stderr.contains("-B KiB"), "the warning says what to change")
    }
}
}
