/// Remote names from the DNS answers the capture sees (no lookup is sent), and with `--resolve` from the
/// system resolver.
extension CaptureSession {
    /// A name the system resolver gave `address`, asked when a conversation with it began at `askedAt`.
    public func learnLookedUpName(_ name: String, for address: IPAddress, askedAt: Timestamp, now: Timestamp) {
        remoteNames.learnLookedUp(name, for: address, askedAt: askedAt, now: now)
    }

    /// Reads the answers of a DNS, mDNS or LLMNR response frame (UDP, or a whole message in a TCP segment)
    /// into `remoteNames`.
    /// `among`: the conversations the frame was counted in, when the table has no index to find the asker by
    /// (a replayed file).
    func learnNames(from bytes: UnsafeRawBufferPointer, _ frame: DecodedFrame, at time: Timestamp, among: [Int32]? = nil) {
        guard let range = DNSAnswers.messageRange(in: bytes, proto: frame.proto, sourcePort: frame.sourcePort,
                                                  transportOffset: frame.transportOffset,
                                                  ipEnd: frame.networkOffset + Int(frame.ipLength)) else { return }
        // The question went out on the conversation this answer comes back to: its socket asked.
        let askerKey = FlowKey(proto: frame.proto, local: Endpoint(address: frame.destination, port: frame.destinationPort),
                               remote: Endpoint(address: frame.source, port: frame.sourcePort), hasPorts: true)
        let slot = among.map { $0.first { table[$0].key == askerKey } } ?? table.find(askerKey)
        let asker = slot.map { (slot: $0, key: askerKey) }
        for answer in DNSAnswers.parse(UnsafeRawBufferPointer(rebasing: bytes[range])) {
            remoteNames.learn(answer, at: time, asker: asker)
        }
    }

    /// The process whose question named `address` (for a conversation that started at `time`), when the
    /// capture saw the question and its conversation is attributed.
    func nameAsker(of address: IPAddress, at time: Timestamp) -> ProcessIdentity? {
        guard let (slot, key) = remoteNames.asker(of: address, at: time), table.slots.contains(Int(slot)),
              table[slot].key == key, table[slot].owner >= 0 else { return nil }
        return owners[Int(table[slot].owner)]
    }
}
