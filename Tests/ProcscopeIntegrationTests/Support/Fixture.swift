import Foundation

/// Capture files under the repository's Fixtures/ folder, for commands run on files.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A small Ethernet capture of one TCP exchange.
    static var capture: String { root.appendingPathComponent("pcap/ethernet-ipv4-tcp.pcap").path }
}
