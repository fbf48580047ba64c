import Glibc
import ProcscopeCore

/// Builds the whole socket-ownership table (`procscope sockets`): in every network namespace a process
/// lives in, TCP, UDP and UDP-Lite from sock_diag dumps (a sock_diag socket created inside the namespace),
/// raw, ping and packet sockets from that namespace's /proc/PID/net tables; owners from one pass over every
/// process's fds (socket inodes are unique across namespaces).
public struct SocketInventory {
    public let proc: ProcFileSystem
    /// Namespaces that could not be read, with why, for the user.
    public private(set) var warnings: [String] = []
    /// What the listing cannot hold on this machine, and why (not a failure).
    public private(set) var notes: [String] = []

    public init(proc: ProcFileSystem = ProcFileSystem()) {
        self.proc = proc
    }

    public mutating func collect() -> [SocketRecord] {
        var holders: [UInt32: [SocketRecord.Owner]] = [:]
        var namespaces: [UInt64: Int32] = [:]
        var denied = 0
        let own = proc.readLink("\(proc.root)/self/ns/net").flatMap(ProcessIdentityReader.parseNamespaceInode) ?? 0
        for pid in proc.processIDs() {
            let name = proc.readText("\(proc.root)/\(pid)/comm")?.trimmingSuffix("\n") ?? "?"
            for (_, inode) in proc.sockets(of: pid, deniedCount: &denied) {
                holders[inode, default: []].append(SocketRecord.Owner(pid: pid, name: name))
            }
            if let namespace = proc.readLink("\(proc.root)/\(pid)/ns/net").flatMap(ProcessIdentityReader.parseNamespaceInode),
               namespaces[namespace] == nil || namespace == own {
                namespaces[namespace] = namespace == own ? getpid() : pid
            }
        }
        if denied > 0 {
            warnings.append("\(denied) file descriptors could not be read, so some owners may be missing"
                            + (geteuid() == 0 ? " (a process protected even from root)" : ". " + Privileges.hint))
        }
        var records: [SocketRecord] = []
        for (namespace, pid) in namespaces {
            let client = diagClient(namespace: namespace, via: pid, own: namespace == own)
            records += client.map { inetSockets(namespace: namespace, client: $0) } ?? []
            let packetSockets = (try? client?.packetSockets()) ?? []
            let rings = Dictionary(packetSockets.map { ($0.inode, $0) }, uniquingKeysWith: { first, _ in first })
            records += tableSockets(namespace: namespace, via: pid, rings: rings)
            records += sctpSockets(namespace: namespace, via: pid)
        }
        if access("\(proc.root)/net/sctp", F_OK) != 0 {
            notes.append("no SCTP sockets are listed: this kernel has no SCTP (no /proc/net/sctp; modprobe sctp)")
        }
        for index in records.indices {
            records[index].owners = (holders[records[index].inode] ?? []).sorted { $0.pid < $1.pid }
        }
        return records
    }

    /// A sock_diag socket made inside the namespace (a socket keeps the namespace it was created in).
    private mutating func diagClient(namespace: UInt64, via pid: Int32, own: Bool) -> SockDiagClient? {
        do {
            return own ? try SockDiagClient()
                : try NetworkNamespace(path: "\(proc.root)/\(pid)/ns/net").run { try SockDiagClient() }
        } catch {
            warnings.append("network namespace \(namespace) (of pid \(pid)) is unreachable: \(error)")
            return nil
        }
    }

    /// TCP, UDP and UDP-Lite, IPv4 and IPv6, from sock_diag dumps made inside the namespace.
    private func inetSockets(namespace: UInt64, client: SockDiagClient) -> [SocketRecord] {
        var records: [SocketRecord] = []
        for (proto, kind) in [(IPProtocol.tcp, "tcp"), (.udp, "udp"), (.udpLite, "udplite")] {
            for ipv6 in [false, true] {
                for socket in (try? client.dump(proto: proto, ipv6: ipv6)) ?? [] {
                    records.append(SocketRecord(kind: kind, namespace: namespace, local: socket.local,
                                                remote: socket.remote, state: socket.state.description,
                                                uid: socket.uid, inode: socket.inode))
                }
            }
        }
        return records
    }

    /// Raw, ping and packet sockets from /proc/PID/net, which shows PID's namespace; a packet socket's
    /// mapped rings from packet_diag (`rings`, by inode): an RX ring alone is a capture tool's (libpcap), a TX
    /// ring a fast injector's.
    private func tableSockets(namespace: UInt64, via pid: Int32, rings: [UInt32: PacketDiagMessage]) -> [SocketRecord] {
        let base = "\(proc.root)/\(pid)/net"
        var records: [SocketRecord] = []
        for (file, kind) in [("raw", "raw"), ("raw6", "raw"), ("icmp", "ping"), ("icmp6", "ping")] {
            for socket in ProcNetSocketTable.parse(proc.readText("\(base)/\(file)") ?? "") {
                records.append(SocketRecord(kind: kind, namespace: namespace, local: socket.local, remote: socket.remote,
                                            state: TCPState(rawValue: socket.state).description, uid: socket.uid,
                                            inode: socket.inode))
            }
        }
        for socket in ProcNetPacketTable.parse(proc.readText("\(base)/packet") ?? "") {
            let type = socket.type == 3 ? "raw" : socket.type == 2 ? "dgram" : "type \(socket.type)"
            let diag = rings[socket.inode]
            let ringNames = [diag?.hasReceiveRing == true ? " rx-ring" : "", diag?.hasTransmitRing == true ? " tx-ring" : ""]
            records.append(SocketRecord(kind: "packet", namespace: namespace, local: nil, remote: nil, state: "-",
                                        uid: socket.uid, inode: socket.inode,
                                        detail: "\(type) 0x\(String(socket.etherType, radix: 16)) if\(socket.interfaceIndex)"
                                            + ringNames.joined()))
        }
        return records
    }
}

extension SocketInventory {
    /// Kernel SCTP endpoints and associations from /proc/PID/net/sctp (absent without the sctp module): every
    /// association, and the endpoints that are listening or have none (a one-to-one socket's own endpoint
    /// would repeat its association).
    func sctpSockets(namespace: UInt64, via pid: Int32) -> [SocketRecord] {
        let base = "\(proc.root)/\(pid)/net/sctp"
        let associations = ProcNetSCTPTable.parseAssociations(proc.readText("\(base)/assocs") ?? "")
        let associated = Set(associations.map(\.inode))
        let endpoints = ProcNetSCTPTable.parseEndpoints(proc.readText("\(base)/eps") ?? "")
            .filter { $0.socketState == 10 || !associated.contains($0.inode) }
        return (endpoints + associations).map { socket in
            let local = socket.localAddresses.first ?? .ipv4Any
            let remote = socket.remoteAddresses.first
            let others = socket.localAddresses.dropFirst().map(\.description) + socket.remoteAddresses.dropFirst().map(\.description)
            return SocketRecord(kind: "sctp", namespace: namespace, local: Endpoint(address: local, port: socket.localPort),
                                remote: remote.map { Endpoint(address: $0, port: socket.remotePort) },
                                state: socket.stateName, uid: socket.uid, inode: socket.inode,
                                detail: others.isEmpty ? nil : "also " + others.joined(separator: " "))
        }
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
