/// Reading back a file procscope wrote (`-w`): each packet is counted in the conversations the live run
/// counted it in (its `PacketAnnotation`), and those conversations carry the live run's attribution (the
/// file's `CaptureAnnotations`), so the report equals the live one. The packets themselves give the counts,
/// times and flags, so a BPF filter on the read still applies.
extension CaptureSession {
    /// Accounts one frame of an annotated file. A frame without an annotation (added by another tool) is
    /// accounted like any offline frame.
    public func replay(_ bytes: UnsafeRawBufferPointer, wireLength: Int, at time: Timestamp,
                       annotation: UnsafeRawBufferPointer, from tables: CaptureAnnotations) {
        let decoded = decoder.decode(bytes, wireLength: wireLength)
        if packetObserver != nil {
            observed = PacketRecord(time: time, decoded: decoded, wireLength: wireLength)
            if observedPacketsKeepBytes { observed.bytes = Array(bytes) }
        }
        defer { if let packetObserver { packetObserver(observed) } }
        guard !annotation.isEmpty else {
            account(decoded, bytes, wireLength: wireLength, at: time)
            return
        }
        let length: UInt32
        var frame: DecodedFrame?
        switch decoded {
        case .ip(let ip):
            counters.packets &+= 1
            counters.bytes &+= UInt64(ip.ipLength)
            length = ip.ipLength
            frame = ip
        case .notIP:
            counters.packets &+= 1
            counters.bytes &+= UInt64(wireLength)
            length = UInt32(truncatingIfNeeded: wireLength)
        case .failed(_, let failure):
            counters.packets &+= 1
            counters.undecodable &+= 1
            counters.failures[failure, default: 0] &+= 1
            return
        }
        let flags = frame?.tcpFlags ?? TCPFlags()
        var counted: [Int32] = []
        let unkeyed = PacketAnnotation.decode(annotation) { id, direction in
            let conversation = replayedConversation(id, direction, frame, at: time, from: tables)
            table[conversation].count(direction, bytes: length, at: time, flags: flags)
            observe(conversation, direction)
            if frame?.carriesDNSAnswers == true { counted.append(conversation) } // no allocation otherwise
        }
        // Names as the live run learned them, from the answers among the packets; the asker is the
        // conversation the answer came back to, among those it was counted in (replayed ones are not indexed).
        if let frame, frame.carriesDNSAnswers && frame.fragment == .none {
            learnNames(from: bytes, frame, at: time, among: counted)
        }
        if let (reason, outgoing) = unkeyed { countUnkeyed(reason, outgoing: outgoing, bytes: length) }
    }

    /// The conversation of the file's id `id`, made at its first packet with the recorded key and attribution.
    func replayedConversation(_ id: UInt32, _ direction: Direction, _ frame: DecodedFrame?, at time: Timestamp,
                              from tables: CaptureAnnotations) -> Int32 {
        if let known = replayed[id] { return known }
        guard let record = tables.conversations[id] else {
            // The file names a conversation it has no record of (cut short, or edited): key it from the frame.
            var key = FlowKey(proto: frame?.proto ?? IPProtocol(rawValue: 0),
                              local: Endpoint(address: frame?.source ?? .ipv4Any, port: frame?.sourcePort ?? 0),
                              remote: Endpoint(address: frame?.destination ?? .ipv4Any,
                                               port: frame?.destinationPort ?? 0),
                              hasPorts: frame?.hasPorts ?? false)
            if direction == .received { key = key.reversed }
            let index = table.append(unindexed: Conversation(key: key, firstSeen: time))
            replayed[id] = index
            resolve(index, as: .offlineCapture, detail: "the file names conversation \(id) but holds no record of it")
            return index
        }
        var conversation = Conversation(key: record.key, firstSeen: time)
        conversation.inode = record.inode
        conversation.latencyMicros = record.latencyMicros
        let index = table.append(unindexed: conversation)
        replayed[id] = index
        if let owner = record.owner, let identity = tables.processes[owner] {
            table[index].owner = Int32(owners.intern(identity))
            table[index].methodOrReason = UInt16(methods.intern(record.method ?? .annotation))
        } else if let reason = record.reason {
            resolve(index, as: reason, detail: record.detail ?? "")
        } else {
            resolve(index, as: .lookupTimedOut, detail: "the capture that wrote the file ended before the lookup answered")
        }
        return index
    }
}
