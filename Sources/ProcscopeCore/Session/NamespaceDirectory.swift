/// Which other network namespace on this host an address belongs to: how frames captured on the host side
/// of a veth (a container's traffic) are tied to the processes inside. The Linux layer implements it from
/// /proc/*/ns/net and each namespace's interface addresses; the capture thread calls it for frames neither
/// of whose addresses is local, so it must answer from memory.
public protocol NamespaceDirectory: AnyObject {
    /// The namespace index (1 and up, as in `FlowKey.namespace`) of the one namespace that has `address`,
    /// or nil (not on this host, or on several: ambiguous, so not used).
    func namespace(of address: IPAddress) -> UInt16?
}
