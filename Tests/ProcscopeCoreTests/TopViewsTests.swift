@testable import ProcscopeCore
import Testing

/// `procscope top`'s three views, grouping, sorting by any column, the help overlay and the sparkline:
/// the pure model, on reports built here.
private extension String {
    func trimmingSuffix(_ character: Character) -> Substring {
        var text = Substring(self)
        while text.last == character { text = text.dropLast() }
        return text
    }
}

@Suite struct TopViewsTests {
    typealias Model = TopViewModelTests
    let header = TopView.Header(interface: "lo", filter: nil, packets: 10, drops: 0)

    static func conversation(_ localPort: UInt16, to remote: UInt32, port: UInt16, tx: UInt64, rx: UInt64,
                             flags: TCPFlags = [.syn, .ack], name: String? = nil) -> CaptureReport.ConversationEntry {
        let key = FlowKey(proto: .tcp, local: Endpoint(address: IPAddress(ipv4: 0xC612_0001), port: localPort),
                          remote: Endpoint(address: IPAddress(ipv4: remote), port: port), hasPorts: true)
        return CaptureReport.ConversationEntry(key: key, firstSeen: .zero, lastSeen: .zero,
                                               tx: TrafficCounter(packets: 1, bytes: tx), rx: TrafficCounter(packets: 1, bytes: rx),
                                               tcpFlags: flags, remoteName: name)
    }

    /// curl (pid 10) with an open and a closed connection to 93.184.216.34, ssh (pid 20) in a container with one
    /// to 10.0.0.1, and one connection folded away earlier.
    static func report(scale: UInt64 = 1) -> CaptureReport {
        var curl = Model.process(10, "curl", tx: 3000 * scale, rx: 1000 * scale)
        curl.conversations.append(conversation(40000, to: 0x5DB8_D822, port: 443, tx: 2000 * scale, rx: 500 * scale,
                                               name: "www.example.com"))
        curl.conversations.append(conversation(40001, to: 0x5DB8_D822, port: 443, tx: 1000 * scale, rx: 500 * scale,
                                               flags: [.syn, .ack, .fin]))
        curl.foldedConversations = 1
        var ssh = Model.process(20, "ssh", tx: 100 * scale, rx: 9000 * scale)
        ssh.identity.cgroup = "/system.slice/docker-" + String(repeating: "ab", count: 32) + ".scope"
        ssh.identity.containerNames = ContainerNames(container: "bastion")
        ssh.conversations.append(conversation(40002, to: 0x0A00_0001, port: 22, tx: 100 * scale, rx: 9000 * scale))
        return Model.report([curl, ssh])
    }

    func view(_ state: TopState, width: Int = 80, height: Int = 24, history: TopHistory = TopHistory()) -> TopView {
        TopView(current: Self.report(scale: 2), previous: Self.report(), seconds: 1, header: header, state: state,
                width: width, height: height, history: history)
    }

    func texts(_ view: TopView) -> [String] { view.lines.map(\.text) }

    @Test("v walks processes, connections and remote hosts; g folds children, then groups by container, unit; ? opens the help")
    func keysChooseViews() {
        var state = TopState()
        TopKey.apply(.character("v"), to: &state, rows: [])
        #expect(state.view == .connections)
        TopKey.apply(.tab, to: &state, rows: [])
        #expect(state.view == .remotes)
        TopKey.apply(.character("v"), to: &state, rows: [])
        #expect(state.view == .processes)
        TopKey.apply(.character("g"), to: &state, rows: [])
        #expect(state.grouping == .parent)
        TopKey.apply(.character("g"), to: &state, rows: [])
        #expect(state.grouping == .container)
        TopKey.apply(.character("g"), to: &state, rows: [])
        #expect(state.grouping == .unit)
        TopKey.apply(.character("?"), to: &state, rows: [])
        #expect(state.showsHelp)
        TopKey.apply(.character("v"), to: &state, rows: [])
        #expect(!state.showsHelp && state.view == .processes, "a key closes the help and does nothing else")
    }

    @Test("Connections: open ones by rate with their remote's DNS name, closed ones collapsed last with the folded count")
    func connectionsView() {
        var state = TopState()
        state.view = .connections
        let lines = texts(view(state))
        #expect(lines[2].hasPrefix("PID    PROGRAM     PROTO REMOTE"))
        #expect(lines[3].hasPrefix("20     ssh         tcp   10.0.0.1:22"), "\(lines)")
        #expect(lines[4].hasPrefix("10     curl        tcp   93.184.216.34:443 (www.exa"), "\(lines)")
        #expect(lines[5].hasPrefix("-      <closed>          2 connections") && lines[5].contains(" -  "), "\(lines)")
        state.expanded = ["conn:closed"]
        let open = texts(view(state))
        #expect(open.contains { $0.contains("10/curl  tcp 198.18.0.1:40001 -> 93.184.216.34:443") })
        #expect(open.contains { $0.contains("and 1 ended earlier") })
        state.sort = .rate
        state.reversed = true
        #expect(texts(view(state))[3].hasPrefix("10     curl"), "reversed: the slowest open one first, closed still last")
        #expect(texts(view(state))[5].contains("<closed>"))
    }

    @Test("Remote hosts: a row per address, named from DNS, with the processes that talk to it")
    func remotesView() {
        var state = TopState()
        state.view = .remotes
        let lines = texts(view(state, width: 110))
        #expect(lines[2].hasPrefix("REMOTE HOST             NAME (DNS)            CONVS"))
        #expect(lines[3].hasPrefix("10.0.0.1                -                     1"), "\(lines)")
        #expect(lines[4].hasPrefix("93.184.216.34           www.example.com       2") && lines[4].trimmingSuffix(" ").hasSuffix("10/curl"), "\(lines)")
        state.expanded = ["remote:10.0.0.1"]
        #expect(texts(view(state)).contains { $0.hasPrefix("    20/ssh  ") })
    }

    @Test("Grouped by container, a container's processes add up; the others share one row")
    func groupedByContainer() {
        var state = TopState()
        state.grouping = .container
        let lines = texts(view(state))
        #expect(lines[2].hasPrefix("CONTAINER                   PROCS"))
        #expect(lines[3].hasPrefix("bastion                     1     100 B/s"), "\(lines)")
        #expect(lines[4].hasPrefix("(no container)              1"), "\(lines)")
        state.grouping = .unit
        #expect(texts(view(state))[3].hasPrefix("(no unit)                   2"))
    }

    @Test("Folded by parent: a child on the table counts in its eldest ancestor there; a child of an absent parent stands alone")
    func childrenFoldIntoParents() {
        var server = Model.process(100, "nginx", tx: 1000, rx: 1000)
        server.conversations.append(Self.conversation(80, to: 0x0A00_0001, port: 50000, tx: 1, rx: 1))
        var worker = Model.process(101, "nginx", tx: 5000, rx: 5000)
        worker.identity.parentPID = 100
        var grandchild = Model.process(102, "helper", tx: 1, rx: 1)
        grandchild.identity.parentPID = 101
        var orphan = Model.process(200, "cron-job", tx: 10, rx: 10)
        orphan.identity.parentPID = 1
        let report = Model.report([server, worker, grandchild, orphan], kernelBytes: 60)
        var state = TopState()
        state.grouping = .parent
        let view = TopView(current: report, previous: nil, seconds: 1, header: header, state: state, width: 80, height: 24)
        #expect(view.rowIDs == ["parent:100@0", "<kernel>", "parent:200@0"], "\(view.rowIDs)")
        let lines = view.lines.map(\.text)
        #expect(lines[2].hasPrefix("PID     USER      PROGRAM         PROCS"))
        #expect(lines[3].hasPrefix("100     root      nginx           3     "), "\(lines)")
        #expect(lines[3].contains("11.7 KiB"), "the three processes' 12,002 bytes: \(lines)")
        state.expanded = ["parent:100@0"]
        let open = TopView(current: report, previous: nil, seconds: 1, header: header, state: state, width: 80, height: 24)
        #expect(open.lines.map(\.text).contains { $0.hasPrefix("    102/helper  (child of 101)") })
    }

    @Test("s walks the columns of the view: pid in order, name A to Z, received largest first; r reverses")
    func sortsByAnyColumn() {
        var state = TopState()
        TopKey.apply(.character("s"), to: &state, rows: [])
        TopKey.apply(.character("s"), to: &state, rows: [])
        #expect(state.sort == .pid)
        #expect(view(state).rowIDs == ["10@0", "20@0"])
        state.sort = .name
        state.reversed = true
        #expect(view(state).rowIDs == ["20@0", "10@0"])
        state.reversed = false
        state.sort = .received
        #expect(view(state).rowIDs == ["20@0", "10@0"])
        state.sort = .pid
        state.view = .remotes
        TopKey.apply(.character("s"), to: &state, rows: [])
        #expect(state.sort == .rate, "from a sort the view has not, s goes to the view's first")
    }

    @Test("Every view and the help fit 80x24")
    func fitsEightyByTwentyFour() {
        for view in TopState.View.allCases {
            for grouping in TopState.Grouping.allCases {
                for help in [false, true] {
                    var state = TopState()
                    state.view = view
                    state.grouping = grouping
                    state.showsHelp = help
                    state.expanded = ["conn:closed", "10@0", "remote:93.184.216.34"]
                    let lines = self.view(state).lines
                    #expect(lines.count <= 24 && lines.allSatisfy { $0.text.count <= 80 }, "\(view) \(grouping) \(help)")
                }
            }
        }
        var help = TopState()
        help.showsHelp = true
        #expect(texts(view(help)).contains { $0.contains("g        processes: each, with their children folded in, by container, by unit") })
    }

    @Test("The selected row's last minute is a sparkline at the bottom; history forgets rows gone for a minute")
    func sparklineAndHistory() {
        var history = TopHistory(capacity: 4)
        for rate in [0.0, 100, 400, 800] { history.record(["20@0": rate, "10@0": 1]) }
        #expect(history.rates(of: "20@0") == [0, 100, 400, 800])
        #expect(TopHistory.sparkline([0, 100, 400, 800], width: 10) == " .+@")
        #expect(TopHistory.sparkline([0, 0], width: 10) == "  ")
        let last = view(TopState(), history: history).lines.last?.text ?? ""
        #expect(last.hasPrefix("last 4 samples, peak 800 B/s: [ .+@]"), "\(last)")
        for _ in 0..<4 { history.record(["10@0": 1]) }
        #expect(history.rates(of: "20@0").isEmpty && history.rowCount == 1)
        history.record(["10@0": 1])
        #expect(history.rates(of: "10@0").count == 4, "at most `capacity` samples")
    }
}
