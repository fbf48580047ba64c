import CProcscopeLinux
import Glibc
import ProcscopeCore

/// One socket close the kernel reported (a sock_diag destroy event), with the namespace it happened in.
struct SocketCloseEvent {
    var socket: InetDiagMessage
    var proto: IPProtocol
    /// procscope's index of the namespace (0: its own; `NetworkNamespaces`).
    var namespace: UInt16
}

/// Socket destroy events from procscope's own network namespace and from every other namespace of the host,
/// behind one descriptor.
///
/// The kernel multicasts a close only to sock_diag sockets of the closing socket's namespace. With only
/// procscope's own subscription, a container's UDP client that closed its socket right after the answer left
/// nothing to find its release record by: measured, 5 of 50 such clients behind a veth (each living on
/// 20 ms) stayed `socket-closed-before-lookup`. So there is one subscription per namespace, made inside it,
/// and an epoll set over all of them, which the caller polls like one socket.
///
/// A socket keeps its namespace alive, so `follow()` lets go of a namespace's subscription once the host's
/// reading (`NetworkNamespaces`) no longer finds it: days of short-lived containers must not pin every
/// namespace they made. Not thread-safe: each thread that wants closes has its own feed (a multicast reaches
/// every subscriber).
final class SocketCloseFeed {
    private let epoll: Int32
    private let own: SockDiagClient
    /// The other namespaces' subscriptions, each put in the epoll set as it is made (a closed socket leaves
    /// the set by itself).
    private let others: NamespaceSockets<SockDiagClient>

    /// Readable while any subscription holds events.
    var descriptor: Int32 { epoll }

    /// Subscribes in procscope's own namespace (throws when that fails: no cap_net_admin) and in every
    /// namespace `namespaces` knows now.
    init(namespaces: NetworkNamespaces?) throws {
        epoll = try retryingSystemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            own = try SockDiagClient(groups: SockDiagClient.destroyGroups)
            try Self.watch(own.descriptor, as: 0, in: epoll)
        } catch {
            close(epoll)
            throw error
        }
        others = NamespaceSockets(namespaces: namespaces) { [epoll] index in
            let client = try SockDiagClient(groups: SockDiagClient.destroyGroups)
            try Self.watch(client.descriptor, as: index, in: epoll)
            return client
        }
        follow()
    }

    deinit { close(epoll) }

    /// Subscribes in namespaces that appeared since the last call and lets go of those that vanished; a
    /// namespace that cannot be entered is tried again when the set of namespaces next changes. Cheap when
    /// nothing changed (one atomic load).
    func follow() {
        others.followAll()
    }

    /// The namespaces subscribed to besides procscope's own (for tests and the report).
    var followedNamespaces: Set<UInt16> { Set(others.indices) }

    /// The closes reported since the last call (non-blocking; empty when none), each subscription's in order.
    /// Subscriptions beyond the first 64 ready wait for the next call (the descriptor stays readable).
    func take() -> [SocketCloseEvent] {
        var ready = [epoll_event](repeating: epoll_event(), count: 64)
        let count = ready.withUnsafeMutableBufferPointer { slots in
            (try? retryingSystemCall("epoll_wait") { epoll_wait(epoll, slots.baseAddress, Int32(slots.count), 0) }) ?? 0
        }
        var events: [SocketCloseEvent] = []
        for slot in ready.prefix(Int(count)) {
            let index = UInt16(truncatingIfNeeded: slot.data.u32)
            guard let client = index == 0 ? own : others.existing(index),
                  let closes = try? client.pendingDestroyEvents() else { continue }
            events += closes.map { SocketCloseEvent(socket: $0.0, proto: $0.1, namespace: index) }
        }
        return events
    }

    private static func watch(_ descriptor: Int32, as index: UInt16, in epoll: Int32) throws {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u32 = UInt32(index)
        try retryingSystemCall("epoll_ctl", subject: "sock_diag destroy events") {
            epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event)
        }
    }
}

extension SocketCloseEvent {
    /// The conversation key the closed socket's tuple makes (an unconnected socket's has no peer).
    var key: FlowKey {
        FlowKey(proto: proto, local: socket.local, remote: socket.remote, hasPorts: true, namespace: namespace)
    }
}
