import Glibc
@testable import ProcscopeLinux
import Testing

/// The eBPF release recorder, loaded for real (root): a socket this test closes is found under its cookie
/// with this process's PID and name as releaser and creator, one that is still open is not, and one that
/// another process released shows that the releaser is not its creator.
@Suite(.enabled(if: getuid() == 0, "needs root to load a cgroup BPF program"))
struct SocketReleaseRecorderTests {
    static func cookie(of fd: Int32) -> UInt64 {
        var cookie: UInt64 = 0
        var length = socklen_t(MemoryLayout<UInt64>.size)
        getsockopt(fd, SOL_SOCKET, 57 /* SO_COOKIE */, &cookie, &length)
        return cookie
    }

    /// The record for `cookie`, waiting up to 100 ms for the kernel to write it.
    static func record(_ recorder: SocketReleaseRecorder, _ cookie: UInt64) -> ReleasedSocket? {
        for _ in 0..<100 {
            if let record = recorder.lastHolder(cookie: cookie) { return record }
            usleep(1000)
        }
        return nil
    }

    @Test("A closed socket is recorded under its cookie with the process that created and closed it")
    func closedSocketIsRecorded() throws {
        let recorder = try SocketReleaseRecorder()
        let open = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let closing = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        let openCookie = Self.cookie(of: open), closingCookie = Self.cookie(of: closing)
        #expect(openCookie != 0 && closingCookie != 0)
        let before = wallClockNow()
        close(closing)
        let record = try #require(Self.record(recorder, closingCookie))
        #expect(record.pid == getpid())
        #expect(record.creator == getpid())
        #expect(record.uid == getuid())
        #expect(!record.name.isEmpty)
        // Converted from CLOCK_MONOTONIC to the wall clock: within a second of the close.
        #expect(abs(record.releasedAt.microseconds(since: before)) < 1_000_000)
        #expect(recorder.lastHolder(cookie: openCookie) == nil)
        close(open)
    }

    @Test("A socket released by a process that only inherited it records that process and its real creator")
    func releaseByAnotherProcessIsNotTrusted() throws {
        let recorder = try SocketReleaseRecorder()
        let inherited = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let cookie = Self.cookie(of: inherited)
        // The child inherits the socket (no CLOEXEC) and keeps it after the parent closes its copy, so the
        // last reference, and the release, are the child's.
        var child: pid_t = 0
        var arguments: [UnsafeMutablePointer<CChar>?] = [strdup("sleep"), strdup("0.05"), nil]
        defer { arguments.forEach { free($0) } }
        #expect(posix_spawn(&child, "/bin/sleep", nil, nil, &arguments, environ) == 0)
        close(inherited)
        var status: Int32 = 0
        waitpid(child, &status, 0)
        let record = try #require(Self.record(recorder, cookie))
        #expect(record.pid == child)
        #expect(record.creator == getpid())
    }

    @Test("The cgroup v2 mount point is found in mountinfo, unified or hybrid")
    func cgroupMountPointIsFound() {
        let hybrid = "30 25 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n"
            + "35 30 0:31 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
        #expect(CgroupHierarchy.v2MountPoint(mountInfo: hybrid) == "/sys/fs/cgroup/unified")
        #expect(CgroupHierarchy.v2MountPoint(mountInfo: "30 25 0:26 / /proc rw - proc proc rw\n") == nil)
    }
}
