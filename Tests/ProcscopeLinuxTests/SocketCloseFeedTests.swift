import Glibc
import ProcscopeCore
@testable import ProcscopeLinux
import Testing

/// Close events from other network namespaces, for real (root): the kernel reports a socket's close only
/// inside its own namespace, so the feed subscribes in each one the host's reading finds, tags each close
/// with that namespace, and lets go of a namespace that vanished (a subscription would keep it alive).
@Suite(.enabled(if: getuid() == 0, "needs root to create a namespace and subscribe to destroy events"))
struct SocketCloseFeedTests {
    static func shell(_ command: String) -> Int32 { system(command) }

    @Test("A socket closed in another namespace is reported with that namespace's index; a vanished namespace is let go")
    func closesInOtherNamespacesAreReportedAndVanishedOnesLetGo() throws {
        let name = "ps-feed-\(getpid())"
        _ = Self.shell("ip netns del \(name) 2>/dev/null")
        #expect(Self.shell("ip netns add \(name)") == 0)
        defer { _ = Self.shell("ip netns del \(name) 2>/dev/null") }
        var status = stat()
        #expect(stat("/run/netns/\(name)", &status) == 0)
        let namespaces = NetworkNamespaces()
        namespaces.readNow()
        let index = try #require(namespaces.allMembers.first { $0.value.inode == UInt64(status.st_ino) }?.key)
        let feed = try SocketCloseFeed(namespaces: namespaces)
        #expect(feed.followedNamespaces.contains(index))

        // A UDP socket made, bound and closed inside the namespace.
        let cookie = try NetworkNamespace(path: "/run/netns/\(name)").run { () -> UInt64 in
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            let cookie = SocketReleaseRecorderTests.cookie(of: fd)
            close(fd)
            return cookie
        }
        #expect(cookie != 0)
        var reported: [SocketCloseEvent] = []
        for _ in 0..<100 where !reported.contains(where: { $0.socket.cookie == cookie }) {
            var entry = pollfd(fd: feed.descriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 10)
            reported += feed.take()
        }
        let closed = try #require(reported.first { $0.socket.cookie == cookie }, "the close was reported")
        #expect(closed.namespace == index && closed.proto == .udp && closed.key.namespace == index)

        #expect(Self.shell("ip netns del \(name)") == 0)
        namespaces.readNow()
        feed.follow()
        #expect(!feed.followedNamespaces.contains(index), "the vanished namespace's subscription was let go")
    }
}
