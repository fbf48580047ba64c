@testable import ProcscopeCore
import Testing

/// The pending lookups' index: what a close event is matched against.
@Suite struct PendingLookupsTests {
    static func key(_ proto: IPProtocol = .tcp, local: UInt16, remote: UInt16, namespace: UInt16 = 0) -> FlowKey {
        FlowKey(proto: proto, local: Endpoint(address: .ipv4Loopback, port: local),
                remote: Endpoint(address: .ipv4Loopback, port: remote), hasPorts: true, namespace: namespace)
    }

    @Test("A close looks only at pending conversations of its protocol, namespace and local port, in the order they began waiting")
    func closeCandidatesShareProtocolNamespaceAndLocalPort() {
        var pending = PendingLookups()
        pending.insert(1, key: Self.key(local: 8080, remote: 40001))
        pending.insert(2, key: Self.key(.udp, local: 8080, remote: 40002))
        pending.insert(3, key: Self.key(local: 8080, remote: 40003, namespace: 2))
        pending.insert(4, key: Self.key(local: 9090, remote: 40004))
        pending.insert(5, key: Self.key(local: 8080, remote: 40005))
        pending.insert(5, key: Self.key(local: 8080, remote: 40005)) // once only
        #expect(pending.count == 5)
        #expect(pending.candidates(for: Self.key(local: 8080, remote: 1)) == [1, 5])
        #expect(pending.candidates(for: Self.key(.udp, local: 8080, remote: 1)) == [2])
        #expect(pending.candidates(for: Self.key(local: 8080, remote: 1, namespace: 2)) == [3])
        #expect(pending.candidates(for: Self.key(local: 7070, remote: 1)).isEmpty)
    }

    @Test("A removed conversation is no candidate and no member; removing one not pending changes nothing")
    func removalLeavesTheIndex() {
        var pending = PendingLookups()
        pending.insert(1, key: Self.key(local: 8080, remote: 40001))
        pending.insert(2, key: Self.key(local: 8080, remote: 40002))
        pending.remove(1)
        pending.remove(9)
        #expect(pending.candidates(for: Self.key(local: 8080, remote: 1)) == [2])
        #expect(!pending.contains(1) && pending.contains(2) && Array(pending) == [2])
        pending.remove(2)
        #expect(pending.isEmpty && pending.candidates(for: Self.key(local: 8080, remote: 1)).isEmpty)
    }
}
