/// The addresses a DNS response gives for the name that was asked, read from the wire as the capture sees it
/// (DNS over UDP, mDNS, LLMNR): A and AAAA records, through CNAME chains, with their TTLs. No lookup is ever
/// sent for this; procscope only reads the answers the host's own resolvers receive.
///
/// The bytes are a stranger's: every length and pointer is checked, compression pointers may only point
/// backwards and at most 32 are followed per name, names are cut at 255 bytes, and a malformed message gives
/// what was read before the damage (or nothing). Names are returned as sent, lowercased; what shows them on a
/// terminal defuses them (`TerminalSafe`).
public enum DNSAnswers {
    public struct Answer: Equatable, Sendable {
        /// The name that was asked (the question's), which is what people typed.
        public var name: String
        public var address: IPAddress
        public var ttl: UInt32
    }

    /// UDP source ports of DNS answers: DNS, mDNS, LLMNR.
    @inlinable public static func isAnswerPort(_ port: UInt16) -> Bool { port == 53 || port == 5353 || port == 5355 }

    /// Where the DNS message of a frame from a DNS, mDNS or LLMNR port lies: a UDP datagram's payload (up to
    /// the IP length), or the message a TCP segment carries whole after its 2-byte length (RFC 1035 4.2.2;
    /// a segment that starts inside a message, or holds only part of one, is not read: its first bytes would
    /// be taken for a header). Nil for anything else, or when the header is no response with answers.
    @inlinable static func messageRange(in bytes: UnsafeRawBufferPointer, proto: IPProtocol, sourcePort: UInt16,
                                        transportOffset: Int, ipEnd: Int) -> Range<Int>? {
        guard isAnswerPort(sourcePort) else { return nil }
        let end = min(bytes.count, ipEnd)
        var start: Int
        var messageEnd = end
        switch proto {
        case .udp:
            start = transportOffset + 8
        case .tcp:
            guard transportOffset + 13 <= end else { return nil }
            let payload = transportOffset + Int(bytes[transportOffset + 12] >> 4) * 4
            guard payload + 2 <= end else { return nil }
            let length = Int(bytes.u16(payload))
            start = payload + 2
            messageEnd = start + length
            guard messageEnd <= end else { return nil }
        default:
            return nil
        }
        guard start + 12 <= messageEnd,
              isResponseWithAnswers(header: bytes.u16(start + 2), answers: bytes.u16(start + 6)) else { return nil }
        return start..<messageEnd
    }

    /// Whether a DNS header's flags word and answer count say a response without error that has answers.
    @inlinable public static func isResponseWithAnswers(header flags: UInt16, answers: UInt16) -> Bool {
        flags & 0x8000 != 0 && flags & 0x000F == 0 && answers > 0
    }

    /// The answers of a DNS message (`message`: the UDP payload).
    public static func parse(_ message: UnsafeRawBufferPointer) -> [Answer] {
        guard message.count >= 12 else { return [] }
        let flags = UInt16(message[2]) << 8 | UInt16(message[3])
        guard flags & 0x8000 != 0, flags & 0x000F == 0 else { return [] } // a response, without error
        let questions = Int(UInt16(message[4]) << 8 | UInt16(message[5]))
        let answers = Int(UInt16(message[6]) << 8 | UInt16(message[7]))
        var offset = 12
        var asked: String?
        for _ in 0..<questions {
            guard let (name, next) = readName(message, at: offset), next + 4 <= message.count else { return [] }
            asked = asked ?? name
            offset = next + 4
        }
        var addresses: [(owner: String, address: IPAddress, ttl: UInt32)] = []
        var aliases: [String: String] = [:] // CNAME: alias -> canonical
        for _ in 0..<answers {
            guard let (owner, next) = readName(message, at: offset), next + 10 <= message.count else { break }
            let type = UInt16(message[next]) << 8 | UInt16(message[next + 1])
            let ttl = UInt32(message[next + 4]) << 24 | UInt32(message[next + 5]) << 16
                | UInt32(message[next + 6]) << 8 | UInt32(message[next + 7])
            let length = Int(UInt16(message[next + 8]) << 8 | UInt16(message[next + 9]))
            let data = next + 10
            guard data + length <= message.count else { break }
            switch (type, length) {
            case (1, 4), (28, 16): // A, AAAA
                if let address = IPAddress(bytes: UnsafeRawBufferPointer(rebasing: message[data..<data + length])) {
                    addresses.append((owner, address, ttl))
                }
            case (5, _): // CNAME
                if let (canonical, _) = readName(message, at: data) { aliases[owner] = canonical }
            default:
                break
            }
            offset = data + length
        }
        // Each address is named by the question when its owner is the question's name or at the end of the
        // question's CNAME chain; otherwise (an answer for another name) by its own owner.
        var chain: Set<String> = []
        var current = asked
        while let name = current, chain.insert(name).inserted { current = aliases[name] }
        return addresses.map { record in
            let name = asked.flatMap { chain.contains(record.owner) ? $0 : nil } ?? record.owner
            return Answer(name: name, address: record.address, ttl: record.ttl)
        }
    }

    /// A (possibly compressed) name at `offset`: the name and the offset after it in the message.
    static func readName(_ message: UnsafeRawBufferPointer, at start: Int) -> (String, Int)? {
        var labels: [UInt8] = []
        var offset = start, end: Int?, jumps = 0
        while true {
            guard offset < message.count else { return nil }
            let length = Int(message[offset])
            if length == 0 {
                end = end ?? offset + 1
                break
            }
            if length & 0xC0 == 0xC0 {
                guard offset + 1 < message.count, jumps < 32 else { return nil }
                let target = (length & 0x3F) << 8 | Int(message[offset + 1])
                guard target < offset else { return nil } // only backwards: no loops
                end = end ?? offset + 2
                offset = target
                jumps += 1
                continue
            }
            guard length & 0xC0 == 0, offset + 1 + length <= message.count else { return nil }
            if !labels.isEmpty { labels.append(UInt8(ascii: ".")) }
            labels.append(contentsOf: message[(offset + 1)..<(offset + 1 + length)])
            guard labels.count <= 255 else { return nil }
            offset += 1 + length
        }
        let name = String(decoding: labels, as: UTF8.self).lowercased()
        return (name, end!)
    }
}
