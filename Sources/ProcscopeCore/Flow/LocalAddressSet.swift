/// The addresses that belong to this network namespace: a frame from one of them was sent by a local socket,
/// a frame to one of them is received by one. Loopback ranges are always local.
public struct LocalAddressSet: Sendable {
    /// Asked for both ends of nearly every frame: an `AddressTable`, not a `Set` (it says why).
    var addresses: AddressTable<Bool>

    public init(_ addresses: some Sequence<IPAddress>) {
        self.addresses = AddressTable(addresses.map { ($0, true) })
    }

    public func contains(_ address: IPAddress) -> Bool {
        address.isLoopback || addresses[address] != nil
    }

    public var all: [IPAddress] { addresses.addresses.sorted() }
}
