import ProcscopeCore

/// One socket line of a /proc/net socket table (`raw`, `raw6`, `icmp`, `icmp6`, `udp`, ...): the formats
/// the kernel prints in net/ipv4/raw.c, ping.c and udp.c. For raw sockets the local "port" is the IP
/// protocol; for ping sockets it is the ICMP echo identifier.
public struct ProcNetSocket: Equatable, Sendable {
    public var local: Endpoint
    public var remote: Endpoint
    /// The kernel's state number (TCP's numbering: 7 = CLOSE for an unconnected socket, 1 = ESTABLISHED).
    public var state: UInt8
    public var uid: UInt32
    public var inode: UInt32
}

/// Parses /proc/net socket tables; unparsable lines are skipped, never guessed.
public enum ProcNetSocketTable {
    public static func parse(_ text: String) -> [ProcNetSocket] {
        text.split(separator: "\n").dropFirst().compactMap(parseLine)
    }

    /// `sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...`
    static func parseLine(_ line: Substring) -> ProcNetSocket? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 10, let local = endpoint(fields[1]), let remote = endpoint(fields[2]),
              let state = UInt8(fields[3], radix: 16), let uid = UInt32(fields[7]), let inode = UInt32(fields[9])
        else { return nil }
        return ProcNetSocket(local: local, remote: remote, state: state, uid: uid, inode: inode)
    }

    /// `0100007F:0035` (IPv4) or 32 hex digits (IPv6), then the port: each 32-bit word of the address is
    /// the kernel's network-order bytes printed as a host-order (little-endian) integer.
    static func endpoint(_ field: Substring) -> Endpoint? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, parts[0].count == 8 || parts[0].count == 32, let port = UInt16(parts[1], radix: 16)
        else { return nil }
        var bytes: [UInt8] = []
        var index = parts[0].startIndex
        while index < parts[0].endIndex {
            let end = parts[0].index(index, offsetBy: 8)
            guard let word = UInt32(parts[0][index..<end], radix: 16) else { return nil }
            bytes += [UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word >> 8),
                      UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 24)]
            index = end
        }
        guard let address = IPAddress(bytes: bytes) else { return nil }
        return Endpoint(address: address, port: port)
    }
}
