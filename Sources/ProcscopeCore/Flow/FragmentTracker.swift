/// Remembers the ports of first fragments, so later fragments (which carry no transport header) are counted
/// with their datagram's flow. A small direct-mapped table: a collision forgets an older datagram, whose later
/// fragments then fall back to `no-transport-ports`; nothing is ever credited to a wrong flow because the
/// full (source, destination, protocol, identification) is compared.
public struct FragmentTracker: Sendable {
    struct Entry: Sendable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var proto: IPProtocol
        var sourcePort: UInt16
        var destinationPort: UInt16
        var used: Bool
    }

    var entries: [Entry]

    public init(size: Int = 256) {
        entries = [Entry](repeating: Entry(source: .ipv4Any, destination: .ipv4Any, identification: 0,
                                           proto: .tcp, sourcePort: 0, destinationPort: 0, used: false),
                          count: size)
    }

    func slot(_ frame: DecodedFrame, _ identification: UInt32) -> Int {
        let h = (frame.source.low ^ frame.destination.low &* 31 ^ UInt64(identification) &* 0x9E37_79B9)
        return Int(truncatingIfNeeded: h % UInt64(entries.count))
    }

    /// Records a first fragment, or fills in the ports of a later one. Returns false for a later fragment
    /// whose first fragment is unknown.
    public mutating func resolve(_ frame: inout DecodedFrame) -> Bool {
        switch frame.fragment {
        case .none:
            return true
        case .first(let identification):
            entries[slot(frame, identification)] = Entry(
                source: frame.source, destination: frame.destination, identification: identification,
                proto: frame.proto, sourcePort: frame.sourcePort, destinationPort: frame.destinationPort,
                used: true)
            return true
        case .later(let identification):
            let entry = entries[slot(frame, identification)]
            guard entry.used, entry.identification == identification, entry.source == frame.source,
                  entry.destination == frame.destination, entry.proto == frame.proto else { return false }
            frame.sourcePort = entry.sourcePort
            frame.destinationPort = entry.destinationPort
            frame.hasPorts = frame.proto.carriesPorts
            return true
        }
    }
}
