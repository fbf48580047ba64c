import ProcscopeCore

/// A socket as sock_diag describes it (linux/inet_diag.h `struct inet_diag_msg`, 72 bytes; the C shim
/// asserts that layout). Ports and addresses are in network order on the wire; uid, inode and cookie in host order.
public struct InetDiagMessage: Equatable, Sendable {
    public var family: UInt8
    public var state: TCPState
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var source: IPAddress
    public var destination: IPAddress
    public var interfaceIndex: UInt32
    public var cookie: UInt64
    public var uid: UInt32
    public var inode: UInt32

    public static let size = 72
    static let afInet: UInt8 = 2
    static let afInet6: UInt8 = 10

    public init?(payload: [UInt8]) {
        guard payload.count >= Self.size else { return nil }
        let parsed: InetDiagMessage? = payload.withUnsafeBytes { bytes in
            let family = bytes[0]
            func address(_ offset: Int) -> IPAddress? {
                family == Self.afInet ? IPAddress(bytes: bytes[offset..<(offset + 4)])
                    : IPAddress(bytes: bytes[offset..<(offset + 16)])
            }
            guard family == Self.afInet || family == Self.afInet6,
                  let source = address(8), let destination = address(24) else { return nil }
            let cookieLow = bytes.loadUnaligned(fromByteOffset: 44, as: UInt32.self)
            let cookieHigh = bytes.loadUnaligned(fromByteOffset: 48, as: UInt32.self)
            return InetDiagMessage(
                family: family, state: TCPState(rawValue: bytes[1]),
                sourcePort: UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self)),
                destinationPort: UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: 6, as: UInt16.self)),
                source: source, destination: destination,
                interfaceIndex: bytes.loadUnaligned(fromByteOffset: 40, as: UInt32.self),
                cookie: UInt64(cookieHigh) << 32 | UInt64(cookieLow),
                uid: bytes.loadUnaligned(fromByteOffset: 64, as: UInt32.self),
                inode: bytes.loadUnaligned(fromByteOffset: 68, as: UInt32.self))
        }
        guard let parsed else { return nil }
        self = parsed
    }

    init(family: UInt8, state: TCPState, sourcePort: UInt16, destinationPort: UInt16, source: IPAddress,
         destination: IPAddress, interfaceIndex: UInt32, cookie: UInt64, uid: UInt32, inode: UInt32) {
        self.family = family
        self.state = state
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.source = source
        self.destination = destination
        self.interfaceIndex = interfaceIndex
        self.cookie = cookie
        self.uid = uid
        self.inode = inode
    }

    public var local: Endpoint { Endpoint(address: source, port: sourcePort) }
    public var remote: Endpoint { Endpoint(address: destination, port: destinationPort) }
}

/// The kernel's TCP state numbers (include/net/tcp_states.h); UDP sockets report ESTABLISHED (connected) or
/// CLOSE (unconnected).
public struct TCPState: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let established = TCPState(rawValue: 1)
    public static let synSent = TCPState(rawValue: 2)
    public static let synReceived = TCPState(rawValue: 3)
    public static let finWait1 = TCPState(rawValue: 4)
    public static let finWait2 = TCPState(rawValue: 5)
    public static let timeWait = TCPState(rawValue: 6)
    public static let close = TCPState(rawValue: 7)
    public static let closeWait = TCPState(rawValue: 8)
    public static let lastAck = TCPState(rawValue: 9)
    public static let listen = TCPState(rawValue: 10)
    public static let closing = TCPState(rawValue: 11)
    public static let newSynReceived = TCPState(rawValue: 12)

    /// Every state, as the `idiag_states` bit mask.
    public static let allStatesMask: UInt32 = 0xFFF

    public var description: String {
        let names = ["", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
                     "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"]
        return Int(rawValue) < names.count && rawValue > 0 ? names[Int(rawValue)] : "STATE-\(rawValue)"
    }
}
