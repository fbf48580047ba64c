@testable import ProcscopeCore
import Testing

/// Owner filters keep only the matching processes' traffic; `--unknown-only` keeps only the unattributed.
@Suite struct OwnerFilterTests {
    static func identity(_ pid: Int32, _ name: String, uid: UInt32, user: String?, container: String? = nil) -> ProcessIdentity {
        ProcessIdentity(pid: pid, startTime: .zero, name: name, executable: nil, commandLine: [], uid: uid,
                        userName: user, networkNamespace: 4026531840, cgroup: container)
    }

    let curl = identity(10, "curl", uid: 1000, user: "alice")
    let nginx = identity(20, "nginx", uid: 33, user: "www-data", container: "/system.slice/docker-3f2a.scope")

    @Test("Criteria: pid, name, user name or uid, namespace, container substring; all must match")
    func criteria() {
        #expect(OwnerFilter(pids: [10]).keeps(curl) && !OwnerFilter(pids: [10]).keeps(nginx))
        #expect(OwnerFilter(names: ["nginx"]).keeps(nginx) && !OwnerFilter(names: ["ngin"]).keeps(nginx))
        #expect(OwnerFilter(users: ["alice"]).keeps(curl) && OwnerFilter(users: ["33"]).keeps(nginx))
        #expect(OwnerFilter(namespaces: [4026531840]).keeps(curl) && !OwnerFilter(namespaces: [1]).keeps(curl))
        #expect(OwnerFilter(containers: ["3f2a"]).keeps(nginx) && !OwnerFilter(containers: ["3f2a"]).keeps(curl))
        #expect(!OwnerFilter(pids: [10], users: ["bob"]).keeps(curl))
        #expect(!OwnerFilter(unknownOnly: true).keeps(curl))
    }

    @Test("A filtered report keeps the matching processes, and <Unknown> only without owner criteria or with --unknown-only")
    func reportFiltering() {
        var unknown = CaptureReport.UnknownEntry()
        unknown.reasons[.noSocket] = TrafficCounter(packets: 1, bytes: 40)
        let report = CaptureReport(capture: .init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero),
                                   processes: [.init(identity: curl), .init(identity: nginx)], unknown: unknown)
        let byPID = report.filtered(by: OwnerFilter(pids: [20]))
        #expect(byPID.processes.map(\.identity.pid) == [20] && byPID.unknown.reasons.isEmpty)
        let unknownOnly = report.filtered(by: OwnerFilter(unknownOnly: true))
        #expect(unknownOnly.processes.isEmpty && unknownOnly.unknown.reasons[.noSocket]?.packets == 1)
        #expect(report.filtered(by: OwnerFilter()).processes.count == 2)
    }
}
