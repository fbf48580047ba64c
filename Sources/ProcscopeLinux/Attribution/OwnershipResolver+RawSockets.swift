import Glibc
import ProcscopeCore

/// Protocols sock_diag does not cover, found in the /proc/net tables of ping and raw sockets.
extension OwnershipResolver {
    /// ICMP and ICMPv6 echo, which sock_diag does not cover: the ping socket bound to the echo identifier
    /// (/proc/net/icmp, icmp6: the identifier is the socket's "port"); else the raw socket of the protocol
    /// when it is the only one and its holder's PID is the identifier (what ping does on a raw socket: raw
    /// sockets see every echo, and a daemon's long-lived raw ICMPv6 socket must not collect the echoes of a
    /// ping that already exited); else, for requests sent from here, the first-send record of the request's
    /// socket (which also tells several raw sockets apart); else the kernel answering an echo request for
    /// which no socket exists.
    func resolveEcho(_ request: AttributionRequest) -> Attribution {
        let key = request.key
        let ipv6 = key.proto == .icmpv6
        func matches(_ socket: ProcNetSocket, port: UInt16) -> Bool {
            socket.local.port == port
                && (socket.local.address.isUnspecified || socket.local.address == key.local.address)
                && (socket.remote.address.isUnspecified || socket.remote.address == key.remote.address)
        }
        let pings = ProcNetSocketTable.parse(tables.procNetTable(ipv6 ? "icmp6" : "icmp", namespace: key.namespace) ?? "")
        if let socket = pings.first(where: { matches($0, port: key.local.port) }) {
            return owner(of: socket, method: .pingSocket, request)
        }
        let raws = ProcNetSocketTable.parse(tables.procNetTable(ipv6 ? "raw6" : "raw", namespace: key.namespace) ?? "")
            .filter { matches($0, port: UInt16(key.proto.rawValue)) }
        if raws.count == 1 {
            let attribution = owner(of: raws[0], method: .rawSocket, request)
            if case .process(let identity, _, _) = attribution, UInt16(truncatingIfNeeded: identity.pid) != key.local.port {
                if let recorded = recordedSender(request) { return recorded }
                return .unknown(.noSocket, detail: "no ping socket has echo id \(key.local.port); the only raw \(key.proto) "
                                    + "socket is pid \(identity.pid)'s, whose PID is not the id: not guessed")
            }
            return attribution
        }
        if raws.count > 1 {
            // The kernel's record of the request's sending socket tells them apart.
            if let recorded = recordedSender(request) { return recorded }
            return .unknown(.noSocket, detail: "no ping socket has echo id \(key.local.port), and \(raws.count) raw "
                                + "\(key.proto) sockets could have sent it: not guessed")
        }
        if !request.firstFrameOutgoing {
            return .unknown(.kernelGenerated, detail: "echo request answered by the kernel (no socket has echo id \(key.local.port))")
        }
        if let recorded = recordedSender(request) { return recorded }
        if let injected = injectedThroughPacketSocket(request) { return injected }
        return .unknown(.socketClosedBeforeLookup,
                        detail: "no ping or raw socket with echo id \(key.local.port) when procscope looked: it closed first"
                            + lostOwnerNote(request))
    }

    /// Any other IP protocol (253, VRRP, OSPF, ...): the raw socket of that protocol (/proc/net/raw, raw6: the
    /// protocol is the socket's "port") when it is the only one in the namespace; raw sockets receive every
    /// packet of their protocol, so an incoming packet is that socket's, and an outgoing one was sent through
    /// a raw socket of that protocol, of which there is one. Two or more: not guessed.
    func resolveRaw(_ request: AttributionRequest) -> Attribution {
        let key = request.key
        let table = key.local.address.isIPv4 ? "raw" : "raw6"
        let raws = ProcNetSocketTable.parse(tables.procNetTable(table, namespace: key.namespace) ?? "").filter { socket in
            socket.local.port == UInt16(key.proto.rawValue)
                && (socket.local.address.isUnspecified || socket.local.address == key.local.address)
                && (socket.remote.address.isUnspecified || socket.remote.address == key.remote.address)
        }
        switch raws.count {
        case 1:
            return owner(of: raws[0], method: .rawSocket, request)
        case 0:
            if let injected = injectedThroughPacketSocket(request) { return injected }
            return .unknown(request.firstFrameOutgoing ? .socketClosedBeforeLookup : .noSocket,
                            detail: "no raw \(key.proto) socket when procscope looked"
                                + (request.firstFrameOutgoing ? ": its sender closed it first" + lostOwnerNote(request) : ""))
        default:
            return .unknown(.noSocket, detail: "\(raws.count) raw \(key.proto) sockets could have sent or received it: not guessed")
        }
    }

    /// The process holding a socket found in a /proc/net table; when none holds it any more (its owner is
    /// exiting), the first-send record of the flow's opening packet.
    private func owner(of socket: ProcNetSocket, method: AttributionMethod, _ request: AttributionRequest) -> Attribution {
        tableOwner(inode: socket.inode, uid: socket.uid, method: method, request)
    }

    /// The process holding a socket inode read from a /proc/net table (no cookie there); when none holds it
    /// any more (its owner is exiting), the first-send record of the flow's opening packet.
    func tableOwner(inode: UInt32, uid: UInt32, method: AttributionMethod, _ request: AttributionRequest) -> Attribution {
        let evidence = SocketEvidence(inode: inode, cookie: 0, uid: uid)
        switch owner(ofInode: inode, uid: uid, outgoing: request.firstFrameOutgoing) {
        case .found(let pid, _):
            guard let identity = processes.identity(of: pid) else {
                return .unknown(.ownerExited, detail: "pid \(pid) held socket inode \(inode) but exited before its identity could be read")
            }
            return .process(identity, method, evidence)
        case .notFound, .closedDuringSearch, .needsSweep:
            if let recorded = recordedSender(request) { return recorded }
            return noHolder(inode: inode, uid: uid)
        }
    }
}
