/// The TCP header flag bits (RFC 9293 section 3.1), as a set.
public struct TCPFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// A SYN without ACK opens a connection: for procscope, the start of a new conversation epoch.
    @inlinable public var isConnectionOpen: Bool { contains(.syn) && !contains(.ack) }

    /// Flag names in tcpdump's order, e.g. `["SYN", "ACK"]`.
    public var names: [String] {
        let all: [(TCPFlags, String)] = [(.fin, "FIN"), (.syn, "SYN"), (.rst, "RST"), (.psh, "PSH"),
                                         (.ack, "ACK"), (.urg, "URG"), (.ece, "ECE"), (.cwr, "CWR")]
        return all.filter { contains($0.0) }.map(\.1)
    }

    public var description: String { names.joined(separator: ",") }
}
