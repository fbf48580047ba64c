import ProcscopeCore

/// Sockets that change hands. A process that opens a connection, forks a child (which execs another program)
/// and exits leaves the socket to the child: launchers, supervisors, inetd-style servers, a shell's
/// `exec 3<>/dev/tcp/...`. The worker remembers which process each answered socket was credited to
/// (`HeldSockets`); when the proc connector reports that process's exit (sent after its descriptors are
/// closed), the socket's new holder is looked for among the children it forked during the capture, in their
/// fds only. The capture then ends the conversation at the exit and credits what follows to the heir
/// (`OwnerChange`); when the socket lives on outside the children (passed over a unix socket), what follows
/// is looked up afresh, and the host-wide search finds the process holding it.
///
/// Not covered: traffic between the fork and the exit (both hold the socket, the kernel does not say which
/// one sent) stays with the earlier holder; frames in the ~0.1 ms between the exit and its report too.
extension OwnershipResolver {
    /// Notes the socket an answer credited to a process, so its holder's exit can be followed.
    func noteHeld(_ attribution: Attribution, key: FlowKey) {
        guard case .process(let identity, _, let evidence) = attribution, let evidence,
              evidence.inode != 0, evidence.cookie != 0 else { return }
        held.note(cookie: evidence.cookie, pid: identity.pid, inode: evidence.inode, key: key)
    }

    /// The changes of hands caused by `pid`'s exit, reported at `time`.
    func handOver(from pid: Int32, at time: Timestamp) -> [OwnerChange] {
        var changes: [OwnerChange] = []
        for socket in held.release(pid: pid) {
            // The thread-group leader alone may have exited: the process still holds the socket.
            if scan(pid, for: socket.inode) {
                held.note(cookie: socket.cookie, pid: pid, inode: socket.inode, key: socket.key)
                continue
            }
            let evidence = SocketEvidence(inode: socket.inode, cookie: socket.cookie, uid: 0)
            if let heir = processes.descendants(of: pid).first(where: { scan($0, for: socket.inode) }),
               let identity = processes.identity(of: heir) {
                held.note(cookie: socket.cookie, pid: heir, inode: socket.inode, key: socket.key)
                changes.append(OwnerChange(cookie: socket.cookie, key: socket.key,
                                           attribution: .process(identity, .inheritedSocket, evidence), at: time))
                continue
            }
            // No child holds it. Closed with its owner (the usual case: its close event ends the conversation),
            // or held on by a process it was passed to (SCM_RIGHTS): the conversation ends at the exit and the
            // next frames are looked up afresh, through the host-wide search if need be.
            let key = socket.key
            guard let alive = try? tables.socket(key.proto, local: key.local, remote: key.remote, namespace: key.namespace),
                  alive.inode == socket.inode else { continue }
            changes.append(OwnerChange(cookie: socket.cookie, key: key, attribution: nil, at: time))
        }
        return changes
    }

    /// A socket's close ends following it.
    func forgetHeld(cookie: UInt64) { held.forget(cookie: cookie) }
}

/// The sockets answered lookups credited to a process, by cookie and by PID, until they close (destroy
/// events) or their holder exits. Bounded: past `limit` the oldest half is dropped (their hand-over is then
/// not followed), so a server whose close events are lost cannot grow it for ever.
final class HeldSockets {
    struct Socket {
        var cookie: UInt64
        var pid: Int32
        var inode: UInt32
        var key: FlowKey
    }

    private var byCookie: [UInt64: Socket] = [:]
    private var byPID: [Int32: Set<UInt64>] = [:]
    private var order: [UInt64] = []
    let limit = 1 << 17

    var count: Int { byCookie.count }

    func note(cookie: UInt64, pid: Int32, inode: UInt32, key: FlowKey) {
        if let earlier = byCookie[cookie] { byPID[earlier.pid]?.remove(cookie) } else { order.append(cookie) }
        byCookie[cookie] = Socket(cookie: cookie, pid: pid, inode: inode, key: key)
        byPID[pid, default: []].insert(cookie)
        if order.count > limit {
            for old in order.prefix(limit / 2) { forget(cookie: old) }
            order.removeFirst(limit / 2)
            order.removeAll { byCookie[$0] == nil }
        }
    }

    /// The sockets credited to `pid`, no longer followed under it.
    func release(pid: Int32) -> [Socket] {
        guard let cookies = byPID.removeValue(forKey: pid) else { return [] }
        return cookies.compactMap { byCookie.removeValue(forKey: $0) }
    }

    func forget(cookie: UInt64) {
        guard let socket = byCookie.removeValue(forKey: cookie) else { return }
        byPID[socket.pid]?.remove(cookie)
        if byPID[socket.pid]?.isEmpty == true { byPID.removeValue(forKey: socket.pid) }
    }
}
