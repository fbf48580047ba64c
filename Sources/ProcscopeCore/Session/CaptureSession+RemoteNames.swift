/// Remote names from the DNS answers the capture sees (no lookup is sent).
extension CaptureSession {
    /// Reads the answers of a DNS, mDNS or LLMNR response frame into `remoteNames`.
    func learnNames(from bytes: UnsafeRawBufferPointer, _ frame: DecodedFrame, at time: Timestamp) {
        let start = frame.transportOffset + 8
        let end = min(bytes.count, frame.networkOffset + Int(frame.ipLength))
        guard start < end else { return }
        for answer in DNSAnswers.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) {
            remoteNames.learn(answer, at: time)
        }
    }
}
