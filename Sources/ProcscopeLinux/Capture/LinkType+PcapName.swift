import CPcap
import ProcscopeCore

extension LinkType {
    /// libpcap's name and description of the link type, as tcpdump prints it ("LINUX_SLL2 (Linux cooked v2)").
    public var pcapName: String {
        let name = pcap_datalink_val_to_name(rawValue).map { String(cString: $0) } ?? description
        let detail = pcap_datalink_val_to_description(rawValue).map { String(cString: $0) }
        return detail.map { "\(name) (\($0))" } ?? name
    }
}
