import Glibc
import ProcscopeCore

/// One SCTP endpoint or association from /proc/net/sctp (net/sctp/proc.c). SCTP is multi-homed, so each
/// side has a list of addresses (the primary path first is not guaranteed; the kernel marks it with `*`).
public struct ProcNetSCTPSocket: Equatable, Sendable {
    public var localPort: UInt16
    /// 0 for an endpoint (no peer).
    public var remotePort: UInt16
    public var localAddresses: [IPAddress]
    public var remoteAddresses: [IPAddress]
    /// The socket's state (TCP numbering: 10 LISTEN, 7 CLOSE, 1 ESTABLISHED).
    public var socketState: UInt8
    /// The association's state (`enum sctp_state`), nil for an endpoint.
    public var associationState: UInt8?
    public var uid: UInt32
    public var inode: UInt32

    /// Whether `address` is one of the local addresses, or the endpoint is bound to the wildcard.
    public func isBound(to address: IPAddress) -> Bool {
        localAddresses.isEmpty || localAddresses.contains { $0 == address || $0.isUnspecified }
    }

    /// The association state's name (RFC 9260 section 4), or the socket state's for an endpoint.
    public var stateName: String {
        guard let associationState else { return socketState == 10 ? "LISTEN" : socketState == 7 ? "CLOSE" : "STATE-\(socketState)" }
        let names = ["CLOSED", "COOKIE_WAIT", "COOKIE_ECHOED", "ESTABLISHED", "SHUTDOWN_PENDING", "SHUTDOWN_SENT",
                     "SHUTDOWN_RECEIVED", "SHUTDOWN_ACK_SENT"]
        return Int(associationState) < names.count ? names[Int(associationState)] : "STATE-\(associationState)"
    }
}

/// /proc/net/sctp/eps and /proc/net/sctp/assocs, present only when the kernel has SCTP (the sctp module).
///   eps:    ENDPT SOCK STY SST HBKT LPORT UID INODE LADDRS...
///   assocs: ASSOC SOCK STY SST ST HBKT ASSOC-ID TX_QUEUE RX_QUEUE UID INODE LPORT RPORT LADDRS... <-> RADDRS...
///           then, after a tab, timers and counters.
/// Addresses are printed `%pI4` / `%pI6` (uncompressed), each followed by a space, the primary with a `*`.
public enum ProcNetSCTPTable {
    public static func parseEndpoints(_ text: String) -> [ProcNetSCTPSocket] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t").first?.split(separator: " ") ?? []
            guard fields.count >= 8, let state = UInt8(fields[3]), let port = UInt16(fields[5]),
                  let uid = UInt32(fields[6]), let inode = UInt32(fields[7]) else { return nil }
            return ProcNetSCTPSocket(localPort: port, remotePort: 0, localAddresses: fields[8...].compactMap(address),
                                     remoteAddresses: [], socketState: state, associationState: nil, uid: uid,
                                     inode: inode)
        }
    }

    public static func parseAssociations(_ text: String) -> [ProcNetSCTPSocket] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t").first?.split(separator: " ") ?? []
            guard fields.count >= 13, let socketState = UInt8(fields[3]), let state = UInt8(fields[4]),
                  let uid = UInt32(fields[9]), let inode = UInt32(fields[10]), let localPort = UInt16(fields[11]),
                  let remotePort = UInt16(fields[12]) else { return nil }
            let addresses = fields[13...]
            let arrow = addresses.firstIndex(of: "<->") ?? addresses.endIndex
            return ProcNetSCTPSocket(localPort: localPort, remotePort: remotePort,
                                     localAddresses: addresses[..<arrow].compactMap(address),
                                     remoteAddresses: addresses[arrow...].dropFirst().compactMap(address),
                                     socketState: socketState, associationState: state, uid: uid, inode: inode)
        }
    }

    /// A printed address, without the primary path's `*`.
    static func address(_ field: Substring) -> IPAddress? {
        IPAddress(numeric: field.hasPrefix("*") ? String(field.dropFirst()) : String(field))
    }
}
