import Glibc
@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// The worker's table of processes: when an identity read a moment ago is trusted without reading /proc
/// again, and when it is not.
@Suite struct ProcessTableTests {
    /// A table over a /proc tree in which PID 4000 was "first" and is now "second" (another process, started
    /// later, on the reused PID) without the table having been told of an exit.
    static func reusedPID(_ tree: ProcTree, exitsReported: Bool) throws -> ProcessTable {
        let table = Self.table(tree, exitsReported: exitsReported)
        try tree.addProcess(4000, name: "first", startTicks: 1000)
        #expect(table.identity(of: 4000)?.name == "first")
        try tree.exit(4000)
        try tree.addProcess(4000, name: "second", startTicks: 2000)
        return table
    }

    /// A table reading the /proc tree `tree`.
    static func table(_ tree: ProcTree, exitsReported: Bool) -> ProcessTable {
        let proc = ProcFileSystem(root: tree.root)
        let table = ProcessTable(reader: ProcessIdentityReader(proc: proc, clockTicksPerSecond: 100, userNames: { _ in nil }))
        table.exitsReported = exitsReported
        return table
    }

    @Test("While every exit is reported, an identity confirmed a moment ago is answered without reading /proc; an exit, or lost events, end that")
    func confirmedIdentityIsTrustedUntilAnExit() throws {
        let tree = try ProcTree()
        defer { tree.remove() }
        let table = try Self.reusedPID(tree, exitsReported: true)
        // No exit was reported: still the process confirmed (the tree's change stands for what cannot happen
        // without an exit, and shows that nothing was read).
        #expect(table.identity(of: 4000)?.name == "first")
        table.handle(.exit(pid: 4000), now: wallClockNow())
        #expect(table.identity(of: 4000)?.name == "second")

        let lost = try Self.reusedPID(tree, exitsReported: true)
        lost.forgetConfirmations()
        #expect(lost.identity(of: 4000)?.name == "second")
    }

    @Test("An exec makes the process another program: its identity is read afresh, though PID and start time stay")
    func execDropsTheIdentityReadBefore() throws {
        let tree = try ProcTree()
        defer { tree.remove() }
        let table = Self.table(tree, exitsReported: true)
        try tree.addProcess(4000, name: "ip", startTicks: 1000)
        #expect(table.identity(of: 4000)?.name == "ip")
        // `ip netns exec` execs the client: same PID, same start time, another program.
        try tree.exit(4000)
        try tree.addProcess(4000, name: "client", startTicks: 1000)
        table.handle(.exec(pid: 4000), now: wallClockNow())
        #expect(table.identity(of: 4000)?.name == "client")
    }

    @Test("Without exit reports, every identity is read again and a reused PID is seen at once")
    func withoutExitReportsIdentityIsReadEachTime() throws {
        let tree = try ProcTree()
        defer { tree.remove() }
        let table = try Self.reusedPID(tree, exitsReported: false)
        #expect(table.identity(of: 4000)?.name == "second")
    }
}
