import Glibc
@testable import ProcscopeLinux
import Testing

/// The eBPF release recorder, loaded for real (root): a socket this test closes is found under its cookie
/// with this process's PID and name, and one that is still open is not.
@Suite(.enabled(if: getuid() == 0, "needs root to load a cgroup BPF program"))
struct SocketReleaseRecorderTests {
    static func cookie(of fd: Int32) -> UInt64 {
        var cookie: UInt64 = 0
        var length = socklen_t(MemoryLayout<UInt64>.size)
        getsockopt(fd, SOL_SOCKET, 57 /* SO_COOKIE */, &cookie, &length)
        return cookie
    }

    @Test("A closed socket is recorded under its cookie with the process that closed it")
    func closedSocketIsRecorded() throws {
        let recorder = try SocketReleaseRecorder()
        let open = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let closing = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        let openCookie = Self.cookie(of: open), closingCookie = Self.cookie(of: closing)
        #expect(openCookie != 0 && closingCookie != 0)
        let before = wallClockNow()
        close(closing)
        let record = try #require(recorder.lastHolder(cookie: closingCookie))
        #expect(record.pid == getpid())
        #expect(record.uid == getuid())
        #expect(!record.name.isEmpty)
        // Converted from CLOCK_MONOTONIC to the wall clock: within a second of the close.
        #expect(abs(record.releasedAt.microseconds(since: before)) < 1_000_000)
        #expect(recorder.lastHolder(cookie: openCookie) == nil)
        close(open)
    }

    @Test("The cgroup v2 mount point is found in mountinfo, unified or hybrid")
    func cgroupMountPointIsFound() {
        let hybrid = "30 25 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n"
            + "35 30 0:31 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
        #expect(CgroupHierarchy.v2MountPoint(mountInfo: hybrid) == "/sys/fs/cgroup/unified")
        #expect(CgroupHierarchy.v2MountPoint(mountInfo: "30 25 0:26 / /proc rw - proc proc rw\n") == nil)
    }
}
