import ProcscopeCore

/// SCTP, from /proc/net/sctp where the kernel has it (sctp_diag answers the same; the tables need no new
/// netlink code and are per namespace), else from what can send SCTP without it.
extension OwnershipResolver {
    /// With kernel SCTP: the association with the flow's ports whose peer addresses include the flow's peer
    /// (multi-homing: any of them), else an endpoint bound to the local port and address (a listener before
    /// its association exists; method bound-socket). Without it, no kernel socket can send or receive SCTP:
    /// a userland stack's raw socket of protocol 132, or an injector's packet socket, did; or nothing on this
    /// host receives it.
    func resolveSCTP(_ request: AttributionRequest) -> Attribution {
        let key = request.key
        guard let associations = tables.procNetTable("sctp/assocs", namespace: key.namespace) else {
            return resolveWithoutSCTP(request)
        }
        let association = ProcNetSCTPTable.parseAssociations(associations).first { socket in
            socket.localPort == key.local.port && socket.remotePort == key.remote.port
                && socket.isBound(to: key.local.address)
                && (socket.remoteAddresses.isEmpty || socket.remoteAddresses.contains(key.remote.address))
        }
        if let association {
            return tableOwner(inode: association.inode, uid: association.uid, method: .exactSocket, request)
        }
        let endpoint = ProcNetSCTPTable.parseEndpoints(tables.procNetTable("sctp/eps", namespace: key.namespace) ?? "").first { socket in
            socket.localPort == key.local.port && socket.isBound(to: key.local.address)
        }
        if let endpoint {
            return tableOwner(inode: endpoint.inode, uid: endpoint.uid, method: .boundSocket, request)
        }
        if !request.firstFrameOutgoing {
            return .unknown(.noSocket, detail: "no SCTP association or endpoint on port \(key.local.port); the ABORT answering it is the kernel's")
        }
        if let injected = injectedThroughPacketSocket(request) { return injected }
        return .unknown(.socketClosedBeforeLookup,
                        detail: "no SCTP association from port \(key.local.port) when procscope looked: it closed first"
                            + lostOwnerNote(request))
    }

    private func resolveWithoutSCTP(_ request: AttributionRequest) -> Attribution {
        let attribution = resolveRaw(request)
        guard case .unknown(let reason, let detail) = attribution, reason != .ambiguousOwner else { return attribution }
        return .unknown(request.firstFrameOutgoing ? reason : .noSocket,
                        detail: "this kernel has no SCTP (no /proc/net/sctp), so no SCTP socket exists; " + detail)
    }
}
