/// Remote names from the DNS answers the capture sees (no lookup is sent), and with `--resolve` from the
/// system resolver.
extension CaptureSession {
    /// A name the system resolver gave `address`, asked when a conversation with it began at `askedAt`.
    public func learnLookedUpName(_ name: String, for address: IPAddress, askedAt: Timestamp, now: Timestamp) {
        remoteNames.learnLookedUp(name, for: address, askedAt: askedAt, now: now)
    }

    /// Reads the answers of a DNS, mDNS or LLMNR response frame (UDP, or a whole message in a TCP segment)
    /// into `remoteNames`.
    func learnNames(from bytes: UnsafeRawBufferPointer, _ frame: DecodedFrame, at time: Timestamp) {
        guard let range = DNSAnswers.messageRange(in: bytes, proto: frame.proto, sourcePort: frame.sourcePort,
                                                  transportOffset: frame.transportOffset,
                                                  ipEnd: frame.networkOffset + Int(frame.ipLength)) else { return }
        for answer in DNSAnswers.parse(UnsafeRawBufferPointer(rebasing: bytes[range])) {
            remoteNames.learn(answer, at: time)
        }
    }
}
