import CPcap
import ProcscopeCore

/// A pcap-filter expression compiled for frames that are already in memory (pcap_compile on a
/// pcap_open_dead handle, pcap_offline_filter per frame): the filter of `capture -r` without libpcap reading.
final class OfflineFilter {
    private var program = bpf_program()

    init(expression: String, linkType: LinkType, snapLength: Int) throws {
        guard let dead = pcap_open_dead(linkType.rawValue, Int32(clamping: max(snapLength, 65535))) else {
            throw CaptureError.badFilter(expression: expression, message: "libpcap could not set up a compiler")
        }
        defer { pcap_close(dead) }
        if pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) < 0 {
            throw CaptureError.badFilter(expression: expression, message: String(cString: pcap_geterr(dead)))
        }
    }

    deinit { pcap_freecode(&program) }

    /// Whether the frame passes the filter.
    func matches(_ bytes: UnsafeRawBufferPointer, wireLength: Int) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        var header = pcap_pkthdr()
        header.caplen = UInt32(bytes.count)
        header.len = UInt32(clamping: wireLength)
        return pcap_offline_filter(&program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
