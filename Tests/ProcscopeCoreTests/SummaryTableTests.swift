@testable import ProcscopeCore
import Testing

/// The summary `capture` prints at the end.
@Suite struct SummaryTableTests {
    @Test("The capture summary with -v lists each process's details after the table, defused")
    func verboseSummaryListsProcesses() {
        var entry = CaptureReport.ProcessEntry(identity: ProcessIdentity(
            pid: 4242, startTime: .zero, name: "curl", executable: "/usr/bin/curl\u{1b}[2J", commandLine: [], uid: 1000,
            userName: "alice", networkNamespace: 1, cgroup: "/system.slice/backup.service", parentPID: 1, parentName: "systemd"))
        entry.tx = TrafficCounter(packets: 1, bytes: 100)
        let report = CaptureReport(capture: .init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero),
                                   processes: [entry], unknown: CaptureReport.UnknownEntry())
        #expect(SummaryTable(report, verbose: true).text.contains(
            "\nProcesses:\n  4242: user alice, exe /usr/bin/curl?[2J, parent 1/systemd, unit backup.service\n"))
        #expect(!SummaryTable(report).text.contains("Processes:"))
    }
}
