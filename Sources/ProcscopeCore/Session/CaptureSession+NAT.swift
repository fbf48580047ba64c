/// Connections the kernel translates, as connection tracking reports them to the capture thread.
extension CaptureSession {
    /// A translated connection appeared. Its first frame may have been captured before the kernel created
    /// the translation (a port forward's SYN is captured on the way in, before PREROUTING makes the entry):
    /// then the side that receives it was keyed as if nothing were translated (the host's own address and
    /// forwarded port, where no socket listens). That conversation, still waiting for its lookup, is re-keyed
    /// to the receiving process's own tuple and looked up afresh.
    ///
    /// Not undone: a translated copy whose event was read just after it (a masqueraded SYN on the uplink, its
    /// answer) is counted once more, under the host's translated address, with an unknown reason: at most a
    /// connection's first frames, never credited to a process.
    public func translationAppeared(_ binding: NATBinding) {
        nat.insert(binding)
        guard binding.translates, configuration.localAddresses != nil else { return }
        let (naivePlace, correctPlace) = placement(of: binding.originalDestination.address,
                                                   and: binding.replySource.address)
        guard let naiveSpace = naivePlace, let correctSpace = correctPlace else { return }
        let naiveKey = FlowKey(proto: binding.proto, local: binding.originalDestination, remote: binding.originalSource,
                               hasPorts: true).in(naiveSpace)
        let correctKey = FlowKey(proto: binding.proto, local: binding.replySource, remote: binding.replyDestination,
                                 hasPorts: true).in(correctSpace)
        guard naiveKey != correctKey, let found = table.find(naiveKey), table[found].isPending,
              table.find(correctKey) == nil else { return }
        rekey(found, to: correctKey)
    }

    /// Moves a pending conversation to another key and asks for that key's owner (the earlier request's
    /// answer no longer matches the key and is ignored).
    func rekey(_ conversation: Int32, to key: FlowKey) {
        table.rekey(conversation, to: key)
        if pending.contains(conversation) { pending.insert(conversation, key: key) }
        let first = pendingFrames[conversation]?.first
        let request = AttributionRequest(conversation: conversation, key: key, firstSeen: table[conversation].firstSeen,
                                         firstFrameOutgoing: first.map { $0.direction == .transmitted } ?? false,
                                         firstTCPFlags: first?.flags ?? table[conversation].tcpFlagsSeen,
                                         firstICMPType: first?.icmpType ?? 0)
        if let answer = attributor.request(request) { apply(answer) }
    }
}
