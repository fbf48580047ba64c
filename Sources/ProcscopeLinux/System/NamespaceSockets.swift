import Glibc

/// Sockets of procscope's made inside the host's other network namespaces, one per namespace, each let go
/// once the namespace is no longer in `NetworkNamespaces`' reading: a socket keeps its namespace alive, and
/// days of short-lived containers must not pin every namespace they made. Used by the attribution worker's
/// sock_diag sockets (made when first asked for) and the close feeds' subscriptions (made for every
/// namespace). Not thread-safe: one per thread.
final class NamespaceSockets<Socket> {
    private let namespaces: NetworkNamespaces?
    /// Makes the socket for a namespace, on a thread that has entered it; given the namespace's index.
    private let make: (UInt16) throws -> Socket
    private var sockets: [UInt16: (inode: UInt64, socket: Socket)] = [:]
    private var seenGeneration = -1

    init(namespaces: NetworkNamespaces?, make: @escaping (UInt16) throws -> Socket) {
        self.namespaces = namespaces
        self.make = make
    }

    /// The namespaces that have a socket now.
    var indices: Dictionary<UInt16, (inode: UInt64, socket: Socket)>.Keys { sockets.keys }

    /// The socket kept for a namespace, if any (without making one).
    func existing(_ index: UInt16) -> Socket? { sockets[index]?.socket }

    /// Lets go of the sockets of namespaces that vanished or changed (a reused index); cheap when the set of
    /// namespaces did not change since the last call (one atomic load). Returns the namespaces now known
    /// when it changed, else nil.
    @discardableResult
    func forgetVanished() -> [UInt16: NetworkNamespaces.Member]? {
        guard let namespaces, namespaces.generation != seenGeneration else { return nil }
        seenGeneration = namespaces.generation
        let members = namespaces.allMembers
        sockets = sockets.filter { members[$0.key]?.inode == $0.value.inode }
        return members
    }

    /// The socket for a namespace, made inside it when there is none. Throws `NamespaceUnreachable` when the
    /// namespace is unknown or cannot be entered.
    func socket(in index: UInt16) throws -> Socket {
        forgetVanished()
        if let known = sockets[index] { return known.socket }
        guard let member = namespaces?.member(index) else {
            throw NamespaceUnreachable(namespace: index, cause: "\(SystemCallError(call: "setns", errno: ENOENT, subject: "network namespace #\(index)"))")
        }
        do {
            let socket = try NetworkNamespace(path: member.path).run { try make(index) }
            sockets[index] = (member.inode, socket)
            return socket
        } catch {
            throw NamespaceUnreachable(namespace: index, cause: "\(error)")
        }
    }

    /// Makes a socket in every namespace that has none, when the set of namespaces changed; a namespace
    /// that cannot be entered is tried again at its next change.
    func followAll() {
        guard let members = forgetVanished() else { return }
        for index in members.keys where sockets[index] == nil { _ = try? socket(in: index) }
    }
}
