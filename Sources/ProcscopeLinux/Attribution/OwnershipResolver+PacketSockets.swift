import Glibc
import ProcscopeCore

/// Frames injected through AF_PACKET sockets (scapy's sendp, traffic generators, userland stacks): no inet,
/// ping or raw socket sent them, and the kernel does not record which packet socket did. packet_diag lists the
/// namespace's packet sockets; capture rings (libpcap maps an RX ring and never a TX ring alone) and
/// procscope's own are not senders of that kind. One process left holding such a socket is credited
/// (`packet-socket`); several are named in an `ambiguous-owner` reason, never guessed between.
extension OwnershipResolver {
    /// The injector of an outgoing frame nothing else explains, or nil when no packet socket could have sent
    /// it (the caller then gives its own reason).
    func injectedThroughPacketSocket(_ request: AttributionRequest) -> Attribution? {
        guard request.firstFrameOutgoing,
              let sockets = try? tables.packetSockets(namespace: request.key.namespace) else { return nil }
        var denied = 0
        let own = Set(proc.sockets(of: getpid(), deniedCount: &denied).map(\.inode))
        let candidates = sockets.filter { socket in
            !own.contains(socket.inode) && !(socket.hasReceiveRing && !socket.hasTransmitRing)
        }
        var holders: [Int32: PacketDiagMessage] = [:]
        for socket in candidates {
            if case .found(let pid, _) = owner(ofInode: socket.inode, uid: socket.uid ?? 0) { holders[pid] = socket }
        }
        switch holders.count {
        case 0:
            return nil
        case 1:
            let (pid, socket) = holders.first!
            guard let identity = processes.identity(of: pid) else {
                return .unknown(.ownerExited, detail: "pid \(pid) held packet socket inode \(socket.inode) but exited "
                                    + "before its identity could be read")
            }
            return .process(identity, .packetSocket, SocketEvidence(inode: socket.inode, cookie: 0, uid: socket.uid ?? 0))
        default:
            let pids = holders.keys.sorted().map(String.init).joined(separator: ", ")
            return .unknown(.ambiguousOwner, detail: "no inet, ping or raw socket sent it; \(holders.count) processes "
                                + "hold packet sockets that could have (pids \(pids)): not guessed")
        }
    }
}
