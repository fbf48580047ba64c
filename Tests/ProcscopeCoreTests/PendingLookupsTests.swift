@testable import ProcscopeCore
import Testing

/// The waiting conversations' index by local port: a close finds every waiting conversation it may cover,
/// and none is left behind when one changes key or stops waiting.
@Suite struct PendingLookupsTests {
    static func key(local port: UInt16, remote: UInt16 = 40000) -> FlowKey {
        FlowKey(proto: .tcp, local: Endpoint(address: .ipv4Loopback, port: port),
                remote: Endpoint(address: .ipv4Loopback, port: remote), hasPorts: true)
    }

    @Test("A conversation that changes key while it waits is found under its new local port only; once answered, under none")
    func rekeyedConversationMovesBuckets() {
        var pending = PendingLookups()
        pending.insert(7, key: Self.key(local: 8080))
        pending.insert(8, key: Self.key(local: 8080, remote: 40001))
        #expect(pending.candidates(closing: Self.key(local: 8080)).sorted() == [7, 8])
        // Re-keyed (a port forward's first frame, keyed before its translation was known).
        pending.insert(7, key: Self.key(local: 80))
        #expect(pending.candidates(closing: Self.key(local: 8080)) == [8])
        #expect(pending.candidates(closing: Self.key(local: 80)) == [7])
        #expect(pending.count == 2 && Set(pending) == [7, 8])
        pending.remove(7)
        pending.remove(8)
        pending.remove(8)
        #expect(pending.isEmpty && pending.candidates(closing: Self.key(local: 80)).isEmpty
                && pending.candidates(closing: Self.key(local: 8080)).isEmpty)
    }
}
