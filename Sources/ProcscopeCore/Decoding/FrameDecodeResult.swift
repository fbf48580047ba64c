/// The outcome of decoding one frame: never a trap, always one of these.
public enum FrameDecodeResult: Sendable, Equatable {
    case ip(DecodedFrame)
    /// A well-formed frame that is not IP (ARP, LLDP, ...), with its EtherType.
    case notIP(LinkInfo, EtherType)
    case failed(LinkInfo, DecodeFailure)
}
