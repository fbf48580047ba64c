import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// /proc readers on the fixture tree under Fixtures/proc, never on the live machine's /proc.
@Suite struct ProcFileSystemTests {
    let proc = ProcFileSystem(root: Fixture.path("proc"))

    @Test("Processes are the numeric directories")
    func processesAreListed() {
        #expect(proc.processIDs().sorted() == [4242, 4343])
    }

    @Test("Socket inodes come from socket:[N] fd links; other fds are skipped")
    func socketInodesAreRead() {
        var denied = 0
        let sockets = proc.sockets(of: 4242, deniedCount: &denied).sorted { $0.inode < $1.inode }
        #expect(sockets.map(\.inode) == [55501, 55502])
        #expect(sockets.map(\.fd) == [3, 4])
        #expect(denied == 0)
        #expect(proc.holds(pid: 4242, fd: 3, inode: 55501))
        #expect(!proc.holds(pid: 4242, fd: 3, inode: 55502))
    }

    @Test("Identity: comm, start time from boot time and ticks, uid, exe, cmdline, namespace and cgroup")
    func identityIsRead() throws {
        let reader = ProcessIdentityReader(proc: proc, clockTicksPerSecond: 100, userNames: { $0 == 1000 ? "alice" : nil })
        let identity = try #require(reader.identity(of: 4242))
        #expect(identity.name == "curl")
        #expect(identity.startTime == Timestamp(seconds: 1_700_000_000 + 123, microseconds: 450_000))
        #expect(identity.uid == 1000 && identity.userName == "alice")
        #expect(identity.executable == "/usr/bin/curl")
        #expect(identity.commandLine == ["curl", "-s", "https://example.invalid/"])
        #expect(identity.networkNamespace == 4_026_531_840)
        #expect(identity.cgroup == "/user.slice/user-1000.slice/session-1.scope")
        #expect(identity.workload.unit == "session-1.scope" && identity.workload.container == nil)
        #expect(identity.parentPID == 1 && identity.parentName == nil, "init is not in the fixture tree")
    }

    @Test("A comm with spaces and parentheses, a deleted exe, the root cgroup, and its parent named")
    func awkwardIdentityIsRead() throws {
        let reader = ProcessIdentityReader(proc: proc, clockTicksPerSecond: 100, userNames: { _ in nil })
        let identity = try #require(reader.identity(of: 4343))
        #expect(identity.name == "odd) name)")
        #expect(identity.executable == "/opt/odd")
        #expect(identity.commandLine.isEmpty)
        #expect(identity.cgroup == nil)
        #expect(identity.uid == 0)
        #expect(identity.parentPID == 4242 && identity.parentName == "curl")
    }

    @Test("A stat line cut short, or with a start time that is not a number, is refused; fields split on runs of spaces")
    func damagedStatLinesAreRefused() throws {
        let fields = (3...19).map(String.init).joined(separator: " ")
        let parsed = try #require(ProcessIdentityReader.parseStat("7 (a) b) S 99  \(fields) 12345 0 0\n"))
        #expect(parsed.comm == "a) b" && parsed.parentPID == 99 && parsed.startTicks == 12345)
        #expect(ProcessIdentityReader.parseStat("7 (a) S 99 1 2 3") == nil)
        #expect(ProcessIdentityReader.parseStat("7 (a) S 99 \(fields) 12x45") == nil)
        #expect(ProcessIdentityReader.parseStat("7 )a( S 99 \(fields) 12345") == nil)
        #expect(ProcessIdentityReader.parseStat("") == nil)
    }

    @Test("The uid is the real one, the first of status's Uid line; a status without one, or with a uid out of range, has none")
    func uidIsTheFirstOfStatusUidLine() {
        let status = "Name:\tsudo\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t7\nUid:\t1000\t0\t0\t0\nGid:\t1000\t0\t0\t0\n"
        #expect(ProcessIdentityReader.parseUID(status) == 1000)
        #expect(ProcessIdentityReader.parseUID("Name:\tx\nUid: 4294967295 1\n") == 4_294_967_295)
        #expect(ProcessIdentityReader.parseUID("Name:\tx\nUid:\t4294967296\t0\n") == nil)
        #expect(ProcessIdentityReader.parseUID("Name:\tUid:\t5\nGid:\t0\n") == nil) // not at a line's start
        #expect(ProcessIdentityReader.parseUID("Name:\tx\nUid:") == nil)
        #expect(ProcessIdentityReader.parseUID("") == nil)
    }

    @Test("A process that is not there has no identity")
    func missingProcessHasNoIdentity() {
        #expect(ProcessIdentityReader(proc: proc, userNames: { _ in nil }).identity(of: 99999) == nil)
    }

    @Test("The inode search finds the holder of a socket and reports an inode nobody holds")
    func inodeSearchFindsTheHolder() throws {
        let reader = ProcessIdentityReader(proc: proc, clockTicksPerSecond: 100, userNames: { _ in nil })
        let resolver = OwnershipResolver(tables: FakeSocketTables(), proc: proc, processes: ProcessTable(reader: reader))
        guard case .found(let pid, _) = resolver.owner(ofInode: 66601, uid: 1000) else {
            Issue.record("inode 66601 not found")
            return
        }
        #expect(pid == 4343) // held by a process of another uid: found by the fallback pass
        guard case .notFound = resolver.owner(ofInode: 12345, uid: 0) else {
            Issue.record("an inode nobody holds was found")
            return
        }
    }
}
