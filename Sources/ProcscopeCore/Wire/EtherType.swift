/// An EtherType (IEEE 802 / IANA "ieee-802-numbers"). Open: values procscope has no name for still round-trip.
public struct EtherType: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let vlan = EtherType(rawValue: 0x8100)
    public static let ipv6 = EtherType(rawValue: 0x86DD)
    public static let qinq = EtherType(rawValue: 0x88A8)
    /// Pre-standard QinQ tag still emitted by some switches.
    public static let qinqLegacy = EtherType(rawValue: 0x9100)
    public static let lldp = EtherType(rawValue: 0x88CC)

    /// True for the 802.1Q/802.1ad tags whose 4-byte header precedes the real EtherType.
    @inlinable public var isVLANTag: Bool { self == .vlan || self == .qinq || self == .qinqLegacy }
}
