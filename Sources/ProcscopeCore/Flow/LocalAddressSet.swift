/// The addresses that belong to this network namespace: a frame from one of them was sent by a local socket,
/// a frame to one of them is received by one. Loopback ranges are always local.
public struct LocalAddressSet: Sendable {
    var addresses: Set<IPAddress>

    public init(_ addresses: some Sequence<IPAddress>) {
        self.addresses = Set(addresses)
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.isLoopback || addresses.contains(address)
    }

    public var all: [IPAddress] { addresses.sorted() }
}
