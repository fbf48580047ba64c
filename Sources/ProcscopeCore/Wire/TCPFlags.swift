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
        var names: [String] = []
        forEachName { names.append($0.description) }
        return names
    }

    /// Each flag's name in tcpdump's order, without making an array (the JSON export writes them for every
    /// TCP conversation).
    @inline(__always) public func forEachName(_ body: (StaticString) -> Void) {
        for bit in 0..<8 where rawValue & (1 << bit) != 0 {
            switch bit {
            case 0: body("FIN")
            case 1: body("SYN")
            case 2: body("RST")
            case 3: body("PSH")
            case 4: body("ACK")
            case 5: body("URG")
            case 6: body("ECE")
            default: body("CWR")
            }
        }
    }

    public var description: String { names.joined(separator: ",") }
}
