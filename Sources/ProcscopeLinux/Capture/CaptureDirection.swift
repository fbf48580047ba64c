import CPcap

/// Which frames a live capture keeps by the way they cross the interface (tcpdump's `-Q`): both, only those
/// received, or only those sent. The kernel decides, through libpcap's `pcap_setdirection`; on `lo`, where
/// every frame is both sent and received, libpcap keeps one copy, the received one.
public enum CaptureDirection: String, CaseIterable, Sendable {
    case `inout`
    case `in`
    case out

    var pcapValue: pcap_direction_t {
        switch self {
        case .inout: PCAP_D_INOUT
        case .in: PCAP_D_IN
        case .out: PCAP_D_OUT
        }
    }
}
