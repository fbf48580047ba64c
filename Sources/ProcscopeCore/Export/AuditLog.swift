/// The per-packet audit listing (`procscope audit`): one tcpdump-like line per frame, followed by the
/// process that sent or received it (`pid/comm`, or `sender > receiver` on loopback) or `<Unknown: reason>`
/// (for a file procscope wrote, the owners its annotation names); or one JSON object per frame.
///
/// Frames are listed in capture order. A frame whose owner is still being looked up holds the listing
/// (and those after it) until the answer arrives or `holdMicros` pass, so that no line says "pending" when
/// the answer is a few hundred microseconds away.
public final class AuditLog {
    private var hold: PacketHold
    private let json: Bool
    private let interfaceName: (UInt32) -> String
    private let filter: OwnerFilter
    /// `-v`: each line ends with what is known of its owners (`OwnerDetails`).
    private let verbose: Bool
    /// `--nano`: times with nine digits, the packet's nanoseconds past its microsecond added.
    private let nanoseconds: Bool

    public init(json: Bool, verbose: Bool = false, nanoseconds: Bool = false, filter: OwnerFilter = OwnerFilter(),
                holdMicros: Int64 = 1_000_000, interfaceName: @escaping (UInt32) -> String) {
        self.json = json
        self.verbose = verbose
        self.nanoseconds = nanoseconds
        self.filter = filter
        hold = PacketHold(holdMicros: holdMicros)
        self.interfaceName = interfaceName
    }

    public func append(_ record: PacketRecord) {
        hold.append(record)
    }

    /// The listing of every frame that can be printed now (all of them with `force`), as UTF-8.
    public func drain(_ session: CaptureSession, now: Timestamp, force: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        hold.release(session, now: now, force: force) { record in
            let owners = record.sides.senderFirst.map { ($0, session.owner(ofConversation: $0.conversation)) }
            guard keeps(owners.map(\.1)) else { return }
            if json {
                writeJSON(record, owners, to: &out)
            } else {
                out += Array(line(record, owners).utf8)
                if verbose { out += Array(OwnerDetails.suffix(record, owners, session: session).utf8) }
            }
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }

    /// A packet is listed when one of its sides is a kept process, or unattributed and unknowns are kept.
    private func keeps(_ owners: [ConversationOwner]) -> Bool {
        guard !filter.isEmpty else { return true }
        if owners.isEmpty { return filter.keepsUnknown }
        return owners.contains { owner in
            if case .process(let identity) = owner { return filter.keeps(identity) }
            return filter.keepsUnknown
        }
    }

    private func line(_ record: PacketRecord, _ owners: [(PacketRecord.Side, ConversationOwner)]) -> String {
        var time = String(record.time.rfc3339.dropFirst(11).dropLast())
        if nanoseconds {
            let sub = min(record.subMicroseconds, 999)
            time += (sub < 10 ? "00" : sub < 100 ? "0" : "") + String(sub)
        }
        switch record.decoded {
        case .ip(let frame):
            let proto = frame.proto.description.uppercased()
            let flags = frame.proto == .tcp ? " [\(frame.tcpFlags)]" : ""
            let owner = record.annotation ?? record.ownersLabel(owners)
            return "\(time) \(interfaceName(frame.link.interfaceIndex)) \(direction(owners)) \(proto) "
                + "\(Self.endpoint(frame.source, frame.sourcePort, frame.hasPorts)) > "
                + "\(Self.endpoint(frame.destination, frame.destinationPort, frame.hasPorts)), "
                + "length \(frame.ipLength)\(flags) \(owner)"
        case .notIP(let link, let etherType):
            return "\(time) \(interfaceName(link.interfaceIndex)) - ethertype 0x\(String(etherType.rawValue, radix: 16)), "
                + "length \(record.wireLength) <Unknown: not-ip>"
        case .failed(let link, let failure):
            return "\(time) \(interfaceName(link.interfaceIndex)) - undecodable (\(failure)), length \(record.wireLength)"
        }
    }

    /// out: sent by a local socket; in: received by one; local: both (loopback); fwd: neither.
    private func direction(_ owners: [(PacketRecord.Side, ConversationOwner)]) -> String {
        let directions = owners.map(\.0.direction)
        if directions.count == 2 { return "local" }
        if directions.first == .transmitted { return "out" }
        if directions.first == .received { return "in" }
        return "fwd"
    }

    static func endpoint(_ address: IPAddress, _ port: UInt16, _ hasPorts: Bool) -> String {
        hasPorts ? "\(address).\(port)" : "\(address)"
    }

    private func writeJSON(_ record: PacketRecord, _ owners: [(PacketRecord.Side, ConversationOwner)],
                           to out: inout [UInt8]) {
        var writer = JSONWriter(capacity: 512)
        writer.object { w in
            if let annotation = record.annotation { w.key("annotation"); w.string(annotation) }
            switch record.decoded {
            case .ip(let frame):
                w.key("destination"); Self.write(frame.destination, frame.destinationPort, frame.hasPorts, to: &w)
                w.key("direction"); w.string(direction(owners))
                w.key("interface"); w.string(interfaceName(frame.link.interfaceIndex))
                w.key("length"); w.number(UInt64(frame.ipLength))
                w.key("owners"); w.array { w in
                    for (side, owner) in owners {
                        guard case .process(let identity) = owner else { continue }
                        w.object { w in
                            w.key("name"); w.string(identity.name)
                            w.key("pid"); w.number(Int64(identity.pid))
                            w.key("side"); w.string(side.direction == .transmitted ? "sender" : "receiver")
                        }
                    }
                }
                w.key("protocol"); w.string(frame.proto.description)
                w.key("source"); Self.write(frame.source, frame.sourcePort, frame.hasPorts, to: &w)
                if frame.proto == .tcp { w.key("tcp_flags"); frame.tcpFlags.write(to: &w) }
            case .notIP(let link, let etherType):
                w.key("ethertype"); w.number(UInt64(etherType.rawValue))
                w.key("interface"); w.string(interfaceName(link.interfaceIndex))
                w.key("length"); w.number(UInt64(record.wireLength))
            case .failed(let link, let failure):
                w.key("interface"); w.string(interfaceName(link.interfaceIndex))
                w.key("length"); w.number(UInt64(record.wireLength))
                w.key("undecodable"); w.string("\(failure)")
            }
            w.key("time"); w.timestamp(record.time)
            w.key("unknown"); w.array { w in
                for (_, owner) in owners {
                    switch owner {
                    case .unknown(let reason): w.string(reason.rawValue)
                    case .pending: w.string(UnknownReason.lookupPending.rawValue)
                    case .process: break
                    }
                }
                if owners.isEmpty, let reason = record.unkeyed { w.string(reason.rawValue) }
            }
        }
        out += writer.bytes
    }

    static func write(_ address: IPAddress, _ port: UInt16, _ hasPorts: Bool, to writer: inout JSONWriter) {
        writer.object { w in
            w.key("address"); w.string(address.description)
            w.key("port"); if hasPorts { w.number(UInt64(port)) } else { w.null() }
        }
    }
}
