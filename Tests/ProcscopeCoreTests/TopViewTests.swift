@testable import ProcscopeCore
import Testing

/// The live view's model: rows, rates from two snapshots, sorting, expansion, the name filter, keys.
@Suite struct TopViewModelTests {
    static func process(_ pid: Int32, _ name: String, tx: UInt64, rx: UInt64) -> CaptureReport.ProcessEntry {
        var entry = CaptureReport.ProcessEntry(identity: ProcessIdentity(
            pid: pid, startTime: .zero, name: name, executable: nil, commandLine: [], uid: 0, userName: "root",
            networkNamespace: 1, cgroup: nil))
        entry.tx = TrafficCounter(packets: 1, bytes: tx)
        entry.rx = TrafficCounter(packets: 1, bytes: rx)
        return entry
    }

    static func report(_ processes: [CaptureReport.ProcessEntry], kernelBytes: UInt64 = 0) -> CaptureReport {
        var unknown = CaptureReport.UnknownEntry()
        if kernelBytes > 0 { unknown.reasons[.kernelGenerated] = TrafficCounter(packets: 1, bytes: kernelBytes) }
        unknown.tx = TrafficCounter(packets: 1, bytes: kernelBytes)
        return CaptureReport(capture: .init(interfaces: ["lo"], filter: nil, started: .zero, ended: .zero),
                             processes: processes, unknown: unknown)
    }

    let header = TopView.Header(interface: "lo", filter: "tcp", packets: 10, drops: 0)

    @Test("Rows are sorted by rate, rates come from the difference of two snapshots, <kernel> has its own row")
    func rowsAndRates() {
        let before = Self.report([Self.process(1, "curl", tx: 1000, rx: 0), Self.process(2, "ssh", tx: 0, rx: 0)])
        let after = Self.report([Self.process(1, "curl", tx: 1000, rx: 0), Self.process(2, "ssh", tx: 2048, rx: 0)],
                                kernelBytes: 60)
        let view = TopView(current: after, previous: before, seconds: 2, header: header, state: TopState(), width: 100, height: 20)
        #expect(view.rowIDs.first == "2@0", "ssh moved 2 KiB in 2 s: first by rate")
        #expect(view.lines[3].text.hasPrefix("2       root      ssh             1.0 KiB/s"))
        #expect(view.rowIDs.contains("<kernel>"))
        #expect(view.lines[0].text.contains("filter 'tcp'"))
    }

    @Test("Keys: down and Enter expand the second row, s cycles the sort, / filters by name, q quits")
    func keys() {
        var state = TopState()
        let rows = ["a", "b", "c"]
        TopKey.apply(.down, to: &state, rows: rows)
        TopKey.apply(.enter, to: &state, rows: rows)
        #expect(state.expanded == ["b"])
        TopKey.apply(.character("s"), to: &state, rows: rows)
        #expect(state.sort == .total)
        for key in [TopKey.character("/"), .character("s"), .character("s"), .character("h"), .enter] {
            TopKey.apply(key, to: &state, rows: rows)
        }
        #expect(state.nameFilter == "ssh" && state.sort == .total, "keys typed into the filter are not commands")
        TopKey.apply(.character("q"), to: &state, rows: rows)
        #expect(state.quit)
    }

    @Test("The name filter keeps matching rows; lines never exceed the width or the height")
    func filterAndFit() {
        var state = TopState()
        state.nameFilter = "cu"
        let report = Self.report([Self.process(1, "curl", tx: 1, rx: 1), Self.process(2, "ssh", tx: 1, rx: 1)])
        let view = TopView(current: report, previous: nil, seconds: 1, header: header, state: state, width: 30, height: 4)
        #expect(view.rowIDs == ["1@0"])
        #expect(view.lines.count == 4 && view.lines.allSatisfy { $0.text.count <= 30 })
    }
}
