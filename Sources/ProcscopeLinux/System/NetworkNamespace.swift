import CProcscopeLinux
import Glibc

/// A network namespace named by its /proc nsfs path, and a way to create sockets inside it: a socket keeps
/// the namespace it was created in, so the calling thread enters the namespace (setns), runs `body`, and
/// returns to its own namespace before anything else runs on it.
struct NetworkNamespace {
    let path: String

    /// Where the host's namespace (where the proc connector lives) can be entered from: init's, kthreadd's
    /// (kernel threads always live in it, and init's may be unreadable in a sandbox), then the parent's (the
    /// shell that ran `ip netns exec`).
    static let initialCandidates = ["/proc/1/ns/net", "/proc/2/ns/net", "/proc/\(getppid())/ns/net"]
        .map(NetworkNamespace.init(path:))

    func run<T>(_ body: () throws -> T) throws -> T {
        let target = try retryingSystemCall("open", subject: path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { close(target) }
        let own = try retryingSystemCall("open", subject: "/proc/thread-self/ns/net") {
            open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        }
        defer { close(own) }
        try retryingSystemCall("setns", subject: path) { ps_setns_net(target) }
        defer {
            // Staying in the other namespace would silently capture and look up the wrong network.
            precondition(ps_setns_net(own) == 0, "setns back to procscope's own network namespace failed")
        }
        return try body()
    }
}
