@testable import ProcscopeLinux
import ProcscopeCore
import Testing

/// The lookups waiting for a close: which are asked again, and when.
@Suite struct CloseWaitersTests {
    static let server = Endpoint(address: .ipv4Loopback, port: 8080)

    static func waiter(remotePort: UInt16, proto: IPProtocol = .tcp, due: Int64) -> CloseWaiters.Waiter {
        let key = FlowKey(proto: proto, local: server, remote: Endpoint(address: .ipv4Loopback, port: remotePort), hasPorts: true)
        return .init(request: AttributionRequest(conversation: Int32(remotePort), key: key, firstSeen: .zero,
                                                 firstFrameOutgoing: false, firstTCPFlags: [.syn]),
                     attempt: 1, due: Timestamp(microseconds: due))
    }

    @Test("A close wakes the waiters of its own tuple whose close is in, an unconnected socket's close those of its local port; others wait for their time")
    func closesWakeOnlyTheirTuplesWaiters() {
        var waiters = CloseWaiters()
        for port: UInt16 in [40001, 40002, 40003] { waiters.add(Self.waiter(remotePort: port, due: 10_000)) }
        waiters.add(Self.waiter(remotePort: 40004, proto: .udp, due: 5_000))
        #expect(waiters.count == 4 && waiters.earliestDue == Timestamp(microseconds: 5_000))
        let now = Timestamp(microseconds: 1_000)
        // A close of 40001's tuple: only that waiter is asked whether its close is in.
        var asked: [UInt16] = []
        let woken = waiters.takeReady(now: now, closed: [Self.waiter(remotePort: 40001, due: 0).request.key]) {
            asked.append($0.key.remote.port)
            return true
        }
        #expect(asked == [40001] && woken.map(\.request.key.remote.port) == [40001])
        // Its close not in yet: stays.
        #expect(waiters.takeReady(now: now, closed: [Self.waiter(remotePort: 40002, due: 0).request.key]) { _ in false }.isEmpty)
        // An unconnected socket's close on the port (remote port 0) may cover every TCP waiter there.
        let unconnected = FlowKey(proto: .tcp, local: Self.server, remote: Endpoint(address: .ipv4Any, port: 0), hasPorts: true)
        asked = []
        _ = waiters.takeReady(now: now, closed: [unconnected]) { asked.append($0.key.remote.port); return false }
        #expect(asked.sorted() == [40002, 40003])
        // Time: the UDP waiter at 5 ms, the rest at 10 ms.
        #expect(waiters.takeReady(now: Timestamp(microseconds: 6_000), closed: []) { _ in false }.map(\.request.key.proto) == [.udp])
        #expect(waiters.earliestDue == Timestamp(microseconds: 10_000))
        #expect(waiters.takeReady(now: Timestamp(microseconds: 10_000), closed: []) { _ in false }.count == 2)
        #expect(waiters.isEmpty && waiters.earliestDue == nil)
    }
}

/// The due times the attribution worker waits on.
@Suite struct DeadlineHeapTests {
    @Test("Tickets come out earliest first, only once due, whatever order they went in")
    func ticketsComeOutEarliestFirstWhenDue() {
        var heap = DeadlineHeap()
        var generator = SystemRandomNumberGenerator()
        let dues = (0..<500).map { _ in Int64.random(in: 0..<10_000, using: &generator) }
        for (ticket, due) in dues.enumerated() { heap.insert(ticket, due: Timestamp(microseconds: due)) }
        #expect(heap.first?.due == Timestamp(microseconds: dues.min()!))
        #expect(heap.popDue(now: Timestamp(microseconds: dues.min()! - 1)) == nil)
        var taken: [Int64] = []
        while let ticket = heap.popDue(now: Timestamp(microseconds: 5_000)) { taken.append(dues[ticket]) }
        #expect(taken == dues.filter { $0 <= 5_000 }.sorted())
        #expect(heap.count == dues.filter { $0 > 5_000 }.count)
        heap.removeAll()
        #expect(heap.isEmpty && heap.first == nil)
    }
}
