@testable import ProcscopeCore
import Testing

private extension Substring {
    func dropLast(while predicate: (Character) -> Bool) -> Substring {
        var text = self
        while let last = text.last, predicate(last) { text = text.dropLast() }
        return text
    }
}

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

    @Test("A wide screen adds the container (its name, else runtime and id) or unit; 80 columns keep the seven others")
    func workloadColumnWhenWide() {
        var web = Self.process(1, "nginx", tx: 10, rx: 10)
        web.identity.cgroup = "/system.slice/docker-" + String(repeating: "ab", count: 32) + ".scope"
        web.identity.containerNames = ContainerNames(container: "web\u{1b}[2J")
        var unnamed = Self.process(2, "redis", tx: 5, rx: 5)
        unnamed.identity.cgroup = "/kubepods.slice/kubepods-pod1234.slice/cri-containerd-" + String(repeating: "cd", count: 32) + ".scope"
        var service = Self.process(3, "sshd", tx: 1, rx: 1)
        service.identity.cgroup = "/system.slice/ssh.service"
        let report = Self.report([web, unnamed, service])
        let wide = TopView(current: report, previous: nil, seconds: 1, header: header, state: TopState(), width: 120, height: 20)
        #expect(wide.lines[2].text.contains("CONVS  CONTAINER/UNIT"))
        // The last column is padded like the others: compare without the trailing spaces.
        func row(_ index: Int) -> Substring { Substring(wide.lines[index].text).dropLast(while: { $0 == " " }) }
        #expect(row(3).hasSuffix("  web?[2J") && row(3).hasPrefix("1 "), "\(row(3))")
        #expect(row(4).hasSuffix("  containerd:cdcdcdcdcdcd"), "\(row(4))")
        #expect(row(5).hasSuffix("  ssh.service"), "\(row(5))")
        let narrow = TopView(current: report, previous: nil, seconds: 1, header: header, state: TopState(), width: 80, height: 20)
        #expect(narrow.lines.allSatisfy { $0.text.count <= 80 && !$0.text.contains("CONTAINER") && !$0.text.contains("web") })
    }

    @Test("An expanded conversation shows its remote end's name from captured DNS, defused")
    func conversationLinesCarryRemoteNames() {
        let key = FlowKey(proto: .tcp, local: Endpoint(address: IPAddress(ipv4: 0xC612_0001), port: 40000),
                          remote: Endpoint(address: IPAddress(ipv4: 0x5DB8_D822), port: 443), hasPorts: true)
        let entry = CaptureReport.ConversationEntry(key: key, firstSeen: .zero, lastSeen: .zero,
                                                    tx: TrafficCounter(packets: 1, bytes: 1024), rx: TrafficCounter(),
                                                    tcpFlags: TCPFlags(), remoteName: "www.example.com\u{07}")
        #expect(TopView.describe(entry) == "tcp 198.18.0.1:40000 -> 93.184.216.34:443 (www.example.com?)  1.0 KiB")
    }
}
